"""Kubernetes 매니페스트를 클러스터 없이 검사한다 (07 레슨: 프로브, preStop, 종료 유예 시간).

두 겹으로 본다.
- **스키마**: `kubernetes-validate` 패키지가 싣고 온 Kubernetes JSON 스키마(strict: 모르는 필드도 오류)로
  오프라인 검사한다. 필드 이름 오타, 문자열로 쓴 숫자, 빠진 필수 필드를 한국어로 알려 준다.
- **규칙**: 스키마는 맞아도 운영에서 사고가 나는 조합을 본다 (라이브니스가 의존 서비스를 확인한다,
  preStop이 없다, 종료 유예 시간이 preStop + 드레인보다 짧다, 시작 프로브가 없다 …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import LabError
from .korean import josa
from .registry import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "compose" / "k8s" / "sample-app.yaml"
"""코스의 참고 매니페스트 (Deployment + Service)."""

DEPENDENCY_PATHS = ("/health/ready",)
"""예제 앱에서 DB·Redis를 확인하는 경로: 라이브니스 프로브가 부르면 안 된다."""

DEFAULT_GRACE = 30
"""`terminationGracePeriodSeconds`를 적지 않았을 때 Kubernetes의 기본값."""

POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


@dataclass
class Problem:
    """문제 하나: 어디(`spec.template...`)에서 무엇이 왜 문제인지 (한국어)."""

    kind: str      # "스키마" 또는 "규칙"
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where or '(문서 전체)'}: {self.message}"


@dataclass
class Report:
    """문서마다 스키마·규칙 검사 결과."""

    documents: list[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)
    version: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def schema_ok(self) -> bool:
        return not any(p.kind == "스키마" for p in self.problems)

    def __str__(self) -> str:
        names = ", ".join(f"{d.get('kind')}/{(d.get('metadata') or {}).get('name', '?')}" for d in self.documents)
        head = f"Kubernetes {self.version} 스키마(strict)와 코스 규칙으로 검사: {names}"
        if self.ok:
            return f"{head}\n✅ 문제 없음"
        return "\n".join([head, *(f"❌ {p}" for p in self.problems)])

    __repr__ = __str__


# ---- 읽기 --------------------------------------------------------------------

def load(source: str | Path | Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """파일 경로, YAML 문자열, dict, dict 목록을 문서 목록으로 읽는다 (여러 문서 `---`도 된다)."""
    if isinstance(source, Mapping):
        return [dict(source)]
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))):
        source = Path(source).read_text(encoding="utf-8")
    if isinstance(source, str):
        try:
            docs = [d for d in yaml.safe_load_all(source) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" ({mark.line + 1}번째 줄 근처)" if mark else ""
            raise LabError(f"❌ YAML 문법 오류{where}: {getattr(exc, 'problem', exc)}\n"
                           f"   해결: 들여쓰기(스페이스만)와 `키: 값` 사이의 공백을 확인한다.") from exc
        source = docs
    docs = [dict(d) for d in source]
    for d in docs:
        if not isinstance(d, dict) or "kind" not in d or "apiVersion" not in d:
            raise LabError("❌ Kubernetes 문서가 아니다: 문서마다 `apiVersion`과 `kind`가 있어야 한다.")
    return docs


def show(source: Any) -> None:
    """문서를 YAML로 보여 준다."""
    print(yaml.safe_dump_all(load(source), allow_unicode=True, sort_keys=False).rstrip())


# ---- 스키마 -------------------------------------------------------------------

def schema_version() -> str:
    """설치된 kubernetes-validate가 싣고 온 가장 새 Kubernetes 스키마 버전 (예: "1.37")."""
    import kubernetes_validate
    from kubernetes_validate import utils

    return utils.major_minor(kubernetes_validate.latest_version())


@lru_cache(maxsize=32)
def _validator(kind: str, api_version: str, version: str, strict: bool):
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    versions = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)]
    if not versions:
        raise LabError(f"❌ Kubernetes {version}의 스키마가 없다 (있는 것: {', '.join(utils.all_versions()[-3:])}).")
    schema_dir = f"v{versions[-1]}-local" + ("-strict" if strict else "")
    try:
        schema = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group}.json", version)
    except FileNotFoundError:
        return None
    defs = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", version)
    registry = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(defs) @ registry
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


_TYPES = {"integer": "정수", "string": "문자열", "object": "객체(키: 값)", "array": "목록(- 항목)",
          "boolean": "true/false", "number": "숫자", "null": "null"}


def _where(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _korean(error: Any) -> str:
    kind = error.validator
    if kind == "additionalProperties":
        names = re.findall(r"'([^']+)'", error.message.split("(", 1)[-1])
        return f"알 수 없는 필드 {', '.join(repr(n) for n in names)} — 철자(대소문자, 복수형)를 확인한다"
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " 또는 ".join(_TYPES.get(w, w) for w in wanted if w != "null")
        return f"{josa(repr(error.instance), '은')} {wanted} 타입이어야 한다"
    if kind == "required":
        m = re.match(r"'([^']+)' is a required property", error.message)
        return f"필수 필드가 없다: {m.group(1) if m else error.message!r}"
    if kind == "enum":
        return f"{josa(repr(error.instance), '은')} 허용된 값이 아니다 (허용: {', '.join(map(str, error.validator_value))})"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"{josa(repr(error.instance), '은')} 너무 작다 (최소 {error.validator_value})"
    return error.message


def schema_errors(doc: Mapping[str, Any], version: str | None = None, strict: bool = True) -> list[Problem]:
    """문서 하나를 Kubernetes JSON 스키마로 검사해 모든 오류를 돌려준다 (없으면 빈 목록)."""
    version = version or schema_version()
    validator = _validator(str(doc.get("kind")), str(doc.get("apiVersion")), version, strict)
    if validator is None:
        return [Problem("스키마", "", f"{doc.get('kind')} ({doc.get('apiVersion')})의 스키마가 Kubernetes "
                                       f"{version}에 없다: kind와 apiVersion을 확인한다")]
    errors = sorted(validator.iter_errors(dict(doc)), key=lambda e: list(map(str, e.absolute_path)))
    return [Problem("스키마", _where(e.absolute_path), _korean(e)) for e in errors]


# ---- 규칙 ---------------------------------------------------------------------

def pod_spec(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """Deployment 등이면 `spec.template.spec`, Pod면 `spec`. 파드가 없는 문서(Service 등)면 None."""
    if doc.get("kind") == "Pod":
        return doc.get("spec") or {}
    if doc.get("kind") in POD_KINDS:
        return ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
    return None


def _pod_prefix(doc: Mapping[str, Any]) -> str:
    return "spec" if doc.get("kind") == "Pod" else "spec.template.spec"


def prestop_seconds(container: Mapping[str, Any]) -> float | None:
    """preStop 훅이 잠자는 초. `sleep: {seconds: N}`과 `exec: [sleep N]`을 알아본다. 없으면 None."""
    hook = ((container.get("lifecycle") or {}).get("preStop")) or {}
    if "sleep" in hook:
        return float((hook["sleep"] or {}).get("seconds", 0))
    command = ((hook.get("exec") or {}).get("command")) or []
    text = " ".join(map(str, command))
    m = re.search(r"\bsleep\s+(\d+(?:\.\d+)?)", text)
    return float(m.group(1)) if m else (0.0 if hook else None)


def _probe_path(probe: Mapping[str, Any] | None) -> str | None:
    if not probe:
        return None
    return ((probe.get("httpGet") or {}).get("path")) or None


def _window(probe: Mapping[str, Any]) -> float:
    """프로브가 실패로 판정하기까지 걸리는 최대 초: periodSeconds × failureThreshold (기본 10 × 3)."""
    return float(probe.get("periodSeconds", 10)) * float(probe.get("failureThreshold", 3))


def lint(doc: Mapping[str, Any], *, drain: float = 20, startup: float = 30, propagation: float = 5) -> list[Problem]:
    """코스 규칙 (MODERN 10·11). `drain`: 앱이 SIGTERM 뒤 요청을 끝내는 시간(gunicorn --graceful-timeout),
    `startup`: 앱이 뜨는 데 걸릴 수 있는 최대 초, `propagation`: 엔드포인트 제거가 퍼지는 데 드는 초."""
    spec = pod_spec(doc)
    if spec is None:
        return []
    prefix = _pod_prefix(doc)
    problems: list[Problem] = []
    containers = spec.get("containers") or []
    grace = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE)
    for i, c in enumerate(containers):
        where = f"{prefix}.containers[{i}]"
        live, ready, start = c.get("livenessProbe"), c.get("readinessProbe"), c.get("startupProbe")
        if not ready:
            problems.append(Problem("규칙", where, "readinessProbe가 없다: 준비되지 않은 파드에도 트래픽이 간다"))
        if not live:
            problems.append(Problem("규칙", where, "livenessProbe가 없다: 멈춰 버린 프로세스를 아무도 재시작하지 않는다"))
        live_path, ready_path = _probe_path(live), _probe_path(ready)
        if live_path and (live_path in DEPENDENCY_PATHS or live_path == ready_path):
            problems.append(Problem("규칙", f"{where}.livenessProbe.httpGet.path",
                                    f"라이브니스가 의존 서비스를 확인하는 {live_path}를 부른다: DB·Redis가 잠깐 "
                                    f"죽으면 멀쩡한 파드까지 모두 재시작된다. 의존성을 보지 않는 /health를 쓴다"))
        if ready and ready_path and ready_path not in DEPENDENCY_PATHS:
            problems.append(Problem("규칙", f"{where}.readinessProbe.httpGet.path",
                                    f"레디니스가 {ready_path}를 부른다: 의존 서비스를 확인하는 /health/ready를 쓴다"))
        if not start:
            problems.append(Problem("규칙", where, "startupProbe가 없다: 시작이 느리면 라이브니스가 뜨기도 전에 "
                                                   "파드를 죽인다 (initialDelaySeconds로 짐작하지 않는다)"))
        elif _window(start) < startup:
            problems.append(Problem("규칙", f"{where}.startupProbe",
                                    f"시작을 기다리는 시간이 {_window(start):g}초(periodSeconds × failureThreshold)다: "
                                    f"{startup:g}초 이상으로 늘린다"))
        sleep = prestop_seconds(c)
        if sleep is None or sleep <= 0:
            problems.append(Problem("규칙", f"{where}.lifecycle.preStop",
                                    "preStop이 없다: SIGTERM과 엔드포인트 제거가 동시에 일어나 닫힌 파드로 "
                                    "요청이 간다 (sleep을 둔다)"))
        elif sleep < propagation:
            problems.append(Problem("규칙", f"{where}.lifecycle.preStop",
                                    f"preStop sleep {sleep:g}초는 엔드포인트 제거가 퍼지는 시간({propagation:g}초)보다 짧다"))
        need = (sleep or 0) + drain
        if isinstance(grace, (int, float)) and grace < need:
            problems.append(Problem("규칙", f"{prefix}.terminationGracePeriodSeconds",
                                    f"{grace}초는 preStop {sleep or 0:g}초 + 드레인 {drain:g}초 = {need:g}초보다 짧다: "
                                    f"드레인이 끝나기 전에 SIGKILL이 온다"))
    return problems


def check(source: Any = MANIFEST, *, version: str | None = None, drain: float = 20, startup: float = 30,
          propagation: float = 5) -> Report:
    """스키마(strict)와 코스 규칙으로 문서들을 검사한다. `print(report)`가 ✅/❌ 목록을 보여 준다."""
    docs = load(source)
    version = version or schema_version()
    problems: list[Problem] = []
    for doc in docs:
        problems += schema_errors(doc, version)
        problems += lint(doc, drain=drain, startup=startup, propagation=propagation)
    return Report(docs, problems, version)


def first_container(source: Any) -> dict[str, Any]:
    """문서들 가운데 첫 파드의 첫 컨테이너 (채점기와 노트북이 프로브 값을 꺼낼 때)."""
    for doc in load(source):
        spec = pod_spec(doc)
        if spec and spec.get("containers"):
            return spec["containers"][0]
    raise LabError("❌ 컨테이너가 있는 문서(Deployment, Pod 등)가 없다.")


def grace_seconds(source: Any) -> float:
    """첫 파드의 `terminationGracePeriodSeconds` (적지 않았으면 기본 30)."""
    for doc in load(source):
        spec = pod_spec(doc)
        if spec is not None:
            return float(spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE))
    raise LabError("❌ 파드가 있는 문서(Deployment, Pod 등)가 없다.")
