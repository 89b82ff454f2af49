"""강사용 일괄 채점: 학생 노트북(10_exercises.ipynb) 여러 개를 격리해 나란히 채점한다 (10 레슨).

    python -m labs.grade 제출폴더/                  # 폴더 안의 .ipynb 모두 (하위 폴더 포함)
    python -m labs.grade a.ipynb b.ipynb --jobs 3   # 동시에 세 명씩
    python -m labs.grade 제출폴더/ --static          # 빠른 피드백: 띄우지 않고 정적 기준만
    python -m labs.grade 제출폴더/ --exercises 2,5 --out 결과/

결과 (`--out`, 기본 `./grades`):
- `grades.csv`: 학생·문제·기준마다 한 줄 (student, exercise, criterion, points, max_points, passed, kind, feedback)
- `summary.csv`: 학생마다 한 줄 (문제별 점수, 합계, 판정)
- `feedback/<학생>.md`: 학생에게 돌려줄 한국어 피드백
- `logs/<학생>.log`: 채점 과정의 출력 (문제를 찾을 때)

격리: 학생마다 버림용 작업 폴더에서 따로 된 파이썬 프로세스(`python -I`, 환경 변수 허용 목록)로 채점한다. 학생이 쓴 것을
실행하거나 읽는 단계는 채점 상자(`labs.sandbox`: bubblewrap, 다른 uid, rlimit)에서 돌고, `--static`은 자식 전체가 상자 안이다.
자식이 돌려준 결과는 부모의 기준 목록으로 검증한다(`validate_result`). 상태 폴더·HOME·TMPDIR이
그 폴더를 가리키고, Docker 이름(이미지 태그, Compose 프로젝트, 레이블)과 포트도 학생마다 다르다. 타임아웃을 넘기면
그룹째 멈추고 그 학생이 켠 프로세스·컨테이너를 거둔다. 망가진 노트북(JSON 오류, 빈 노트북), 망가진 답(YAML 오류,
nginx 문법 오류, 끝나지 않는 스크립트)은 판정과 함께 0점이 될 뿐 채점 전체를 멈추지 않는다.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import exercises as ex
from .exercises.answers import ANSWERS_VAR, extract
from .exercises.common import Session, grade as grade_exercise, slugify
from .korean import particle

_running: dict[str, tuple[subprocess.Popen, Submission, Path]] = {}
_running_lock = threading.Lock()
_stopping = threading.Event()

LIVE_TIMEOUT = 1200.0
STATIC_TIMEOUT = 240.0
CSV_FIELDS = ("student", "exercise", "criterion", "points", "max_points", "passed", "kind", "key", "feedback")


# ---- 학생 하나 (자식 프로세스 안) ---------------------------------------------------

def _rows_for(module: Any, live: bool, note: str) -> list[dict[str, Any]]:
    """채점하지 못한 문제의 기준들을 0점으로 (노트북 자체가 망가졌을 때)."""
    dummy = Session(module.ANSWER, {}, "none", live, Path(tempfile.gettempdir()), "none")
    checks = [c for c in module.criteria(dummy) if live or not c.live]
    return [{"criterion": c.description, "points": 0, "max_points": c.points, "passed": False,
             "kind": "live" if c.live else "static", "key": c.key, "feedback": note} for c in checks]


def grade_notebook(path: Path, *, lab: str, slug: str, live: bool, numbers: list[int]) -> dict[str, Any]:
    """노트북 하나를 채점한 결과 (JSON으로 옮길 수 있는 dict). 이 함수는 어떤 답에도 예외를 내지 않는다."""
    started = time.monotonic()
    extracted = extract(path)
    out: dict[str, Any] = {"notebook": path.name, "verdict": extracted.problem, "live": live, "exercises": []}
    for n in numbers:
        module = ex.module(n)
        t = time.monotonic()
        entry: dict[str, Any] = {"number": n, "title": module.TITLE, "answer": module.ANSWER}
        if extracted.problem:
            rows = _rows_for(module, live, extracted.problem)
        elif module.ANSWER not in extracted.answers:
            why = ("답 셀이 학생용 빈칸 그대로다" if module.ANSWER in extracted.stubs
                   else f"`%%answer {module.ANSWER}` 셀을 찾지 못했다")
            rows = _rows_for(module, live, f"{why}: 답을 쓰지 않았다.")
        else:
            ns = {ANSWERS_VAR: dict(extracted.answers)}
            try:
                use_live = live and ex.common.live_available(module)
                score = grade_exercise(module, ns, live=use_live, lab=lab, slug=slug)
                rows = [{"criterion": o.criterion.description, "points": o.earned, "max_points": o.criterion.points,
                         "passed": o.passed, "kind": "live" if getattr(o.criterion, "live", False) else "static",
                         "key": getattr(o.criterion, "key", ""),
                         "feedback": o.note if o.passed else (o.note or o.criterion.hint)} for o in score.outcomes]
                if live and not use_live:
                    entry["note"] = f"이 기계에 {', '.join(module.REQUIRES)}{particle(', '.join(module.REQUIRES), '이')} 없어 정적 기준만 채점했다."
            except Exception as exc:  # 채점기 자체의 오류도 그 문제 0점으로 끝낸다
                traceback.print_exc()
                rows = _rows_for(module, live, f"채점기 오류: {type(exc).__name__}: {exc}")
        entry["rows"] = rows
        entry["earned"] = sum(r["points"] for r in rows)
        entry["total"] = sum(r["max_points"] for r in rows)
        entry["seconds"] = round(time.monotonic() - t, 1)
        out["exercises"].append(entry)
        print(f"  {module.TITLE}: {entry['earned']}/{entry['total']}점 ({entry['seconds']}초)", flush=True)
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def _child_main(args: argparse.Namespace) -> int:
    from . import registry

    numbers = _numbers(args.exercises)
    try:
        result = grade_notebook(Path(args.one), lab=args.lab, slug=args.slug, live=not args.static, numbers=numbers)
    finally:
        registry.cleanup(args.lab, quiet=True)
        registry.cleanup(ex.common.LAB_UNTRUSTED, quiet=True)
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


# ---- 여러 학생 (부모 프로세스) --------------------------------------------------------

@dataclass
class Submission:
    student: str
    path: Path
    slug: str
    lab: str


def collect(paths: list[str]) -> list[Submission]:
    """파일과 폴더에서 제출 노트북을 모은다. 학생 이름: 파일 이름, 파일이 `10_exercises.ipynb`면 폴더 이름."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            found.append(p)
    subs: list[Submission] = []
    used: set[str] = set()
    for p in found:
        name = p.parent.name if p.stem in ("10_exercises", "exercises", "submission") and p.parent.name else p.stem
        base, n = name, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        digest = hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:5]
        slug = f"{slugify(name, 14)}-{digest}"
        subs.append(Submission(name, p, slug, f"10g-{slug}"))
    return subs


def _numbers(text: str | None) -> list[int]:
    if not text:
        return [1, 2, 3, 4, 5]
    nums = sorted({int(x) for x in text.replace(" ", "").split(",") if x})
    bad = [n for n in nums if not 1 <= n <= 5]
    if bad:
        raise SystemExit(f"❌ 연습 문제 번호는 1~5다: {bad}")
    return nums


def _reap_children(state: Path) -> None:
    """시간 초과로 멈춘 학생 채점이 남긴 서버 프로세스(pid 파일)를 거둔다."""
    import psutil

    from .registry import kill_tree

    for f in (state / "pids").glob("*/*.json") if (state / "pids").is_dir() else []:
        try:
            info = json.loads(f.read_text())
            proc = psutil.Process(int(info["pid"]))
            if abs(proc.create_time() - float(info.get("created", 0))) < 1.0:
                kill_tree(proc)
        except (OSError, ValueError, KeyError, psutil.Error):
            pass


def _reap_docker(sub: Submission) -> None:
    """학생 채점이 만든 컨테이너·네트워크·볼륨(레이블)과 이미지(태그 접두어)를 지운다."""
    try:
        from .docker import client, reap

        reap(sub.lab)
        c = client(timeout=30)
        prefix = f"course-10-{sub.slug}"
        for ctr in c.containers.list(all=True):
            if (ctr.name or "").startswith(prefix):
                ctr.remove(force=True, v=True)
        for img in c.images.list():
            for tag in img.tags:
                if tag.startswith(prefix + "/"):
                    c.images.remove(tag, force=True)
        for net in c.networks.list():
            if (net.name or "").startswith(prefix):
                try:
                    net.remove()
                except Exception:
                    pass
    except Exception:
        pass


def _verdict_result(sub: Submission, numbers: list[int], live: bool, note: str) -> dict[str, Any]:
    out: dict[str, Any] = {"notebook": sub.path.name, "verdict": note, "live": live, "exercises": []}
    for n in numbers:
        module = ex.module(n)
        rows = _rows_for(module, live, note)
        out["exercises"].append({"number": n, "title": module.TITLE, "answer": module.ANSWER, "rows": rows,
                                 "earned": 0, "total": sum(r["max_points"] for r in rows), "seconds": 0})
    return out


MAX_NOTEBOOK_BYTES = 8 * 1024 * 1024
"""제출 노트북의 최대 크기: 이보다 크면 열지 않는다 (연습 문제 노트북은 수백 KB다)."""
MAX_RESULT_BYTES = 2 * 1024 * 1024
MAX_FEEDBACK = 300
"""피드백 한 칸의 최대 글자 수: 도구 출력은 기준에 필요한 만큼만 (파일 내용을 붙여 넣지 않는다)."""


def _child_env(work: Path, live: bool) -> dict[str, str]:
    """채점 자식의 환경 변수 허용 목록: 강사의 환경(토큰, 비밀번호, 프록시 인증)을 물려주지 않는다."""
    from .images import image_env
    from .sandbox import base_env

    env = base_env(work / "home", {"COURSE_STATE_DIR": str(work / "state"), "MPLBACKEND": "Agg",
                                   "COURSE_GRADING_STRICT": "1"})
    env.update({k: v for k, v in image_env().items() if k.endswith("_IMAGE")})
    if live:
        for key in ("DOCKER_HOST", "DOCKER_CONTEXT", "COURSE_EXTRA_CA"):
            if key in os.environ:
                env[key] = os.environ[key]
        if (Path.home() / ".docker").is_dir():
            env["DOCKER_CONFIG"] = str(Path.home() / ".docker")  # compose 플러그인을 찾는 자리
    return env


def run_one(sub: Submission, *, out: Path, live: bool, numbers: list[int], timeout: float) -> dict[str, Any]:
    """학생 하나를 자식 프로세스로 채점한다. 무슨 일이 있어도 (검증한) 결과 dict를 돌려준다.

    `--static`: 자식 전체가 채점 상자(`labs.sandbox`) 안에서 돈다 — 네트워크 없음, 저장소는 `labs/`·`sample_app/`·
    `compose/`만 읽기 전용, 쓸 수 있는 곳은 이 학생의 버림용 폴더뿐, 다른 uid, 메모리·프로세스·시간 한도.
    실제 상태 채점: 자식은 Docker·nginx를 다뤄야 해서 상자 밖에서 돌고(`python -I`, 환경 변수 허용 목록), 학생이 쓴
    것을 실행하는 단계(설정 읽기, 배포 스크립트)만 상자에 들어간다."""
    from . import sandbox

    work = Path(tempfile.mkdtemp(prefix=f"course-grade-{sub.slug}-"))
    os.chmod(work, 0o755)
    (work / "home").mkdir()
    (work / "home" / "tmp").mkdir()
    result_path = work / "result.json"
    log_path = out / "logs" / f"{sub.student}.log"
    if _stopping.is_set():
        shutil.rmtree(work, ignore_errors=True)
        return {**_verdict_result(sub, numbers, live, "채점을 도중에 멈춰 채점하지 않았다."), "student": sub.student,
                "seconds": 0.0}
    try:
        size = sub.path.stat().st_size
    except OSError:
        size = 0
    if size > MAX_NOTEBOOK_BYTES:
        shutil.rmtree(work, ignore_errors=True)
        return {**_verdict_result(sub, numbers, live, f"노트북이 너무 크다 ({size // 1024}KB): 열지 않았다."),
                "student": sub.student, "seconds": 0.0}
    # 제출물은 복사본으로 채점한다: 자식은 원래 경로(다른 학생의 폴더 이름)를 모른다
    notebook = work / "submission.ipynb"
    if sub.path.is_file():
        shutil.copyfile(sub.path, notebook)
    env = _child_env(work, live)
    inner = ["-m", "labs.grade", "--one", str(notebook), "--result", str(result_path),
             "--lab", sub.lab, "--slug", sub.slug, "--exercises", ",".join(map(str, numbers))]
    if not live:
        inner.append("--static")
    started = time.monotonic()
    timed_out = False
    with open(log_path, "wb") as log:
        if not live and sandbox.available():
            box = sandbox.Box(workdir=work, env=env, kit=True, network=False,
                              limits=sandbox.Limits(memory_mb=1536, nproc=256, cpu_s=int(timeout) + 10, fsize_mb=64))
            proc = sandbox.spawn(box, [sys.executable, "-I", *inner], stdout=log, stderr=subprocess.STDOUT)
        else:
            proc = subprocess.Popen([sys.executable, "-I", *inner], cwd=work, env=env, stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        with _running_lock:
            _running[sub.slug] = (proc, sub, work)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop_group(proc, wait=10)
        finally:
            if not live:
                sandbox.kill(proc)  # 상자째: 자식이 남긴 손자까지
    with _running_lock:
        _running.pop(sub.slug, None)
    _reap_children(work / "state")
    if live:
        _reap_docker(sub)
    if timed_out:
        result = _verdict_result(sub, numbers, live, f"채점 타임아웃({timeout:.0f}초)을 넘겨 멈췄다: "
                                 "끝나지 않는 스크립트나 시작하지 않는 서비스가 있는지 본다.")
    elif result_path.is_file() and not result_path.is_symlink():
        try:
            if result_path.stat().st_size > MAX_RESULT_BYTES:
                raise ValueError("too big")
            result = validate_result(json.loads(result_path.read_text(encoding="utf-8")), sub, numbers, live)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            result = _verdict_result(sub, numbers, live, "채점 결과를 읽지 못했다 (채점기 오류).")
    else:
        result = _verdict_result(sub, numbers, live, f"채점 프로세스가 결과 없이 끝났다 (종료 코드 {proc.returncode}).")
    result["student"] = sub.student
    result["seconds"] = round(time.monotonic() - started, 1)
    shutil.rmtree(work, ignore_errors=True)
    return result


def _clean(text: Any, limit: int = MAX_FEEDBACK) -> str:
    """자식이 돌려준 글: 문자열로, 제어 문자를 빼고, 한 줄로, `limit`자까지."""
    t = "".join(ch if ch.isprintable() else " " for ch in str(text or ""))
    t = " ".join(t.split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def validate_result(raw: Any, sub: Submission, numbers: list[int], live: bool) -> dict[str, Any]:
    """자식이 쓴 result.json은 믿지 않는 데이터다: 부모가 가진 기준 목록(설명·배점·키)에 맞춰 다시 만든다.

    - 기준은 부모의 채점 모듈에서 온다: 자식이 기준을 더하거나 빼거나 배점을 바꿀 수 없다.
    - 점수는 그 기준의 배점 아니면 0이다 (통과 여부와 함께): 음수, 배점보다 큰 값, 숫자가 아닌 값은 0점.
    - 피드백은 글자 수를 자르고 제어 문자를 뺀다. 모르는 칸은 버린다."""
    if not isinstance(raw, dict):
        raise ValueError("result is not an object")
    verdict = _clean(raw.get("verdict"), 400) or None
    by_number = {}
    for e in raw.get("exercises") or []:
        if isinstance(e, dict) and isinstance(e.get("number"), int):
            by_number.setdefault(e["number"], e)
    out: dict[str, Any] = {"notebook": sub.path.name, "verdict": verdict, "live": live, "exercises": []}
    for n in numbers:
        module = ex.module(n)
        got = by_number.get(n) or {}
        rows_in = [r for r in got.get("rows") or [] if isinstance(r, dict)]
        # 이 기계에 능력(docker, nginx)이 없어 자식이 정적 기준만 채점한 문제: 정적 기준만 받는다
        static_only = live and bool(got.get("note")) and not any(r.get("kind") == "live" for r in rows_in)
        template = _rows_for(module, live and not static_only, "")
        by_key = {str(r.get("key")): r for r in rows_in}
        rows = []
        for t in template:
            r = by_key.get(t["key"])
            if r is None or _clean(r.get("criterion"), 1000) != t["criterion"]:
                rows.append({**t, "feedback": verdict or "채점 결과에 이 기준이 없다 (0점)."})
                continue
            passed = r.get("passed") is True and r.get("points") == t["max_points"]
            rows.append({**t, "passed": passed, "points": t["max_points"] if passed else 0,
                         "feedback": _clean(r.get("feedback"))})
        entry = {"number": n, "title": module.TITLE, "answer": module.ANSWER, "rows": rows,
                 "earned": sum(r["points"] for r in rows), "total": sum(r["max_points"] for r in rows),
                 "seconds": got.get("seconds") if isinstance(got.get("seconds"), (int, float)) else 0}
        if got.get("note"):
            entry["note"] = _clean(got.get("note"), 200)
        out["exercises"].append(entry)
    return out


def _stop_group(proc: subprocess.Popen, wait: float) -> None:
    """채점 프로세스의 프로세스 그룹 전체(빌드·compose·서버 자식까지)에 SIGTERM, 안 끝나면 SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
            return
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def stop_running() -> None:
    """도는 학생 채점 프로세스를 모두 멈춘다 (각 채점 스레드가 뒷정리를 한다)."""
    with _running_lock:
        items = list(_running.values())
    for proc, _sub, _work in items:
        _stop_group(proc, wait=5)


def warm_up(numbers: list[int]) -> None:
    """여러 학생이 동시에 같은 층을 처음부터 빌드하지 않도록, 공통 이미지(시드 이미지, 배포 하니스의 의존성 층)를 먼저 만든다."""
    from . import docker
    from .dockerlab import NAIVE_DOCKERFILE, copy_app, write_dockerfile
    from .exercises.dockerfile import SEED_TAG

    tmp = Path(tempfile.mkdtemp(prefix="course-grade-warm-"))
    try:
        if 1 in numbers:
            ctx = copy_app(tmp / "seed")
            write_dockerfile(ctx, NAIVE_DOCKERFILE)
            docker.build(ctx, SEED_TAG, "10_exercises", progress=False, labels={"course.exercise": "1-seed"})
        if 4 in numbers or 3 in numbers:
            ctx = copy_app(tmp / "app")
            docker.build(ctx, "course-10/warm-app:latest", "10_exercises", progress=False)
    except Exception as exc:  # 데우기에 실패해도 채점은 한다 (학생마다 빌드한다)
        print(f"⚠️ 공통 이미지를 미리 만들지 못했다: {exc}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def feedback_markdown(result: dict[str, Any]) -> str:
    """학생에게 돌려줄 한국어 피드백 (Markdown)."""
    earned = sum(e["earned"] for e in result["exercises"])
    total = sum(e["total"] for e in result["exercises"])
    mode = "실제로 띄워 본 채점" if result.get("live") else "정적 채점 (띄워 보는 기준은 뺐다)"
    lines = [f"# 연습 문제 채점 결과: {result['student']}", "",
             f"- 제출: `{result.get('notebook', '?')}`", f"- 방식: {mode}", f"- 점수: **{earned}/{total}점**", ""]
    if result.get("verdict"):
        lines += [f"> ⚠️ {result['verdict']}", ""]
    for e in result["exercises"]:
        lines += [f"## {e['title']} — {e['earned']}/{e['total']}점", ""]
        if e.get("note"):
            lines += [f"> {e['note']}", ""]
        lines += ["| 결과 | 기준 | 점수 | 피드백 |", "| --- | --- | --- | --- |"]
        for r in e["rows"]:
            fb = str(r.get("feedback") or "").replace("|", "\\|").replace("\n", " ")
            crit = str(r["criterion"]).replace("|", "\\|")
            lines.append(f"| {'✅' if r['passed'] else '❌'} | {crit} | {r['points']}/{r['max_points']} | {fb} |")
        lines.append("")
    return "\n".join(lines)


def write_reports(results: list[dict[str, Any]], out: Path) -> None:
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        for res in results:
            for e in res["exercises"]:
                for r in e["rows"]:
                    w.writerow({"student": res["student"], "exercise": e["number"], "criterion": r["criterion"],
                                "points": r["points"], "max_points": r["max_points"], "passed": int(bool(r["passed"])),
                                "kind": r["kind"], "key": r.get("key", ""), "feedback": r.get("feedback") or ""})
    numbers = sorted({e["number"] for res in results for e in res["exercises"]})
    with open(out / "summary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", *[f"ex{n}" for n in numbers], "total", "max_total", "seconds", "verdict"])
        for res in results:
            by = {e["number"]: e for e in res["exercises"]}
            w.writerow([res["student"], *[by[n]["earned"] if n in by else "" for n in numbers],
                        sum(e["earned"] for e in res["exercises"]), sum(e["total"] for e in res["exercises"]),
                        res.get("seconds", ""), res.get("verdict") or ""])
    for res in results:
        (out / "feedback" / f"{res['student']}.md").write_text(feedback_markdown(res), encoding="utf-8")


def grade_many(paths: list[str], *, out: Path, jobs: int = 2, live: bool = True, numbers: list[int] | None = None,
               timeout: float | None = None, warm: bool = True) -> list[dict[str, Any]]:
    """여러 제출물을 `jobs`개씩 나란히 채점하고 보고서를 쓴다. 결과 목록을 돌려준다."""
    numbers = numbers or [1, 2, 3, 4, 5]
    subs = collect(paths)
    if not subs:
        raise SystemExit("❌ 채점할 노트북(.ipynb)을 찾지 못했다.")
    from . import sandbox

    if not sandbox.available():
        raise SystemExit("❌ 학생 답을 가둘 채점 상자를 만들 수 없다: `apt-get install bubblewrap`으로 설치한다 "
                         "(README의 '일괄 채점의 위협 모델').")
    out.mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(exist_ok=True)
    if live:
        from .doctor import capabilities

        if not capabilities().get("docker"):
            print("⚠️ 이 기계에 Docker가 없다: Docker가 필요한 기준(문제 1·3·4)은 정적 기준만 채점한다.", flush=True)
        elif warm:
            warm_up(numbers)
    limit = timeout or (LIVE_TIMEOUT if live else STATIC_TIMEOUT)
    lock = threading.Lock()
    results: list[dict[str, Any]] = []

    def one(sub: Submission) -> dict[str, Any]:
        try:
            res = run_one(sub, out=out, live=live, numbers=numbers, timeout=limit)
        except Exception as exc:  # 한 학생의 어떤 실패도 일괄 채점을 멈추지 않는다
            traceback.print_exc()
            res = {**_verdict_result(sub, numbers, live, f"채점기 오류로 채점하지 못했다: {type(exc).__name__}"),
                   "student": sub.student, "seconds": 0.0}
        earned = sum(e["earned"] for e in res["exercises"])
        total = sum(e["total"] for e in res["exercises"])
        with lock:
            mark = "⚠️" if res.get("verdict") else ("✅" if earned == total else "📝")
            print(f"{mark} {sub.student}: {earned}/{total}점 ({res['seconds']:.0f}초)"
                  + (f" — {res['verdict']}" if res.get("verdict") else ""), flush=True)
        return res

    print(f"▶ 제출물 {len(subs)}개, 동시에 {jobs}개, {'정적 채점' if not live else '실제 상태 채점'}, "
          f"문제 {','.join(map(str, numbers))}", flush=True)
    _stopping.clear()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = [pool.submit(one, sub) for sub in subs]
    try:
        results = [f.result() for f in futures]
    except KeyboardInterrupt:
        # Ctrl-C(또는 SIGTERM): 도는 학생 채점을 프로세스 그룹째 멈추고, 그 학생들이 켠 것을 거둔 뒤 끝낸다
        _stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        stop_running()
        pool.shutdown(wait=True)
        print("⏹️ 채점을 멈췄다: 돌던 학생 채점과 그 학생들이 켠 프로세스·컨테이너를 정리했다.", flush=True)
        raise SystemExit(130) from None
    pool.shutdown()
    write_reports(results, out)
    # 결과 폴더는 강사가 --out으로 준 것이므로 이름만 보인다 (출력에 기계의 절대 경로를 남기지 않는다).
    print(f"✅ 보고서: 결과 폴더 `{out.name}/`에 grades.csv, summary.csv, feedback/", flush=True)
    return results


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.grade",
                                     description="학생 노트북(10_exercises.ipynb)을 격리해 나란히 채점한다.")
    parser.add_argument("submissions", nargs="*", help="노트북 파일이나 폴더")
    parser.add_argument("--out", default="grades", help="보고서 폴더 (기본: ./grades)")
    parser.add_argument("--jobs", type=int, default=2, help="동시에 채점할 학생 수 (기본 2)")
    parser.add_argument("--static", action="store_true", help="띄우지 않고 정적 기준만 (빠른 피드백)")
    parser.add_argument("--exercises", help="채점할 문제 번호 (예: 1,2,5). 기본은 전부")
    parser.add_argument("--timeout", type=float, help="학생 하나의 타임아웃(초)")
    parser.add_argument("--no-warm", action="store_true", help="공통 이미지를 미리 만들지 않는다")
    # 내부용: 학생 하나를 자식 프로세스에서 채점
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--lab", help=argparse.SUPPRESS)
    parser.add_argument("--slug", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return _child_main(args)
    if not args.submissions:
        parser.error("채점할 노트북 파일이나 폴더를 준다.")
    # SIGTERM도 Ctrl-C처럼 다룬다: 학생 채점 프로세스와 그들이 켠 것을 치우고 끝난다.
    signal.signal(signal.SIGTERM, _interrupt)
    grade_many(args.submissions, out=Path(args.out), jobs=args.jobs, live=not args.static,
               numbers=_numbers(args.exercises), timeout=args.timeout, warm=not args.no_warm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
