"""Kubernetes 매니페스트의 오프라인 스키마 검사와 코스 규칙을 검증한다 (07 레슨)."""

import copy

import pytest

from labs import k8s
from labs.errors import LabError


@pytest.fixture(scope="module")
def manifest():
    return k8s.load(k8s.MANIFEST)


def _container(docs):
    return docs[0]["spec"]["template"]["spec"]["containers"][0]


def test_course_manifest_passes_schema_and_rules(manifest):
    report = k8s.check(k8s.MANIFEST)
    assert report.ok, str(report)
    assert [d["kind"] for d in manifest] == ["Deployment", "Service"]
    assert "✅ 문제 없음" in str(report) and report.version == k8s.schema_version()


def test_schema_is_bundled_and_offline():
    version = k8s.schema_version()
    major, minor = (int(x) for x in version.split("."))
    assert (major, minor) >= (1, 30)  # preStop sleep 동작이 있는 버전


def test_schema_errors_in_korean_with_paths(manifest):
    docs = copy.deepcopy(manifest)
    c = _container(docs)
    c["livenessProbe"]["periodSecond"] = c["livenessProbe"].pop("periodSeconds")
    docs[0]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = "35"
    del c["name"]
    problems = k8s.schema_errors(docs[0])
    text = "\n".join(map(str, problems))
    assert len(problems) == 3 and all(p.kind == "스키마" for p in problems)
    assert "livenessProbe: 알 수 없는 필드 'periodSecond'" in text
    assert "terminationGracePeriodSeconds: '35'는 정수 타입이어야 한다" in text
    assert "필수 필드가 없다: 'name'" in text


def test_unknown_kind_and_non_strict():
    assert "스키마가" in k8s.schema_errors({"apiVersion": "v1", "kind": "Servise"})[0].message
    loose = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "colour": "red"}}
    assert k8s.schema_errors(loose, strict=False) == []
    assert k8s.schema_errors(loose)[0].where == "metadata"


def test_rules_catch_the_classic_mistakes(manifest):
    docs = copy.deepcopy(manifest)
    c = _container(docs)
    c["livenessProbe"]["httpGet"]["path"] = "/health/ready"
    del c["startupProbe"], c["lifecycle"]
    problems = k8s.lint(docs[0])
    messages = " ".join(p.message for p in problems)
    assert len(problems) == 3
    assert "의존 서비스를 확인하는 /health/ready" in messages
    assert "startupProbe가 없다" in messages and "preStop이 없다" in messages


def test_rules_grace_period_and_short_windows(manifest):
    docs = copy.deepcopy(manifest)
    spec = docs[0]["spec"]["template"]["spec"]
    spec["terminationGracePeriodSeconds"] = 25
    c = spec["containers"][0]
    c["startupProbe"]["failureThreshold"] = 5
    c["lifecycle"]["preStop"] = {"exec": {"command": ["sh", "-c", "sleep 3"]}}
    assert k8s.prestop_seconds(c) == 3
    problems = k8s.lint(docs[0])
    messages = [p.message for p in problems]
    assert any("시작을 기다리는 시간이 10초" in m for m in messages)
    assert any("preStop sleep 3초는" in m for m in messages)
    assert not any(p.where.endswith("terminationGracePeriodSeconds") for p in problems)  # 25 ≥ 3 + 20
    spec["terminationGracePeriodSeconds"] = 20
    assert any("20초는 preStop 3초 + 드레인 20초 = 23초보다 짧다" in m for m in map(str, k8s.lint(docs[0])))
    del spec["terminationGracePeriodSeconds"]
    assert k8s.grace_seconds(docs) == k8s.DEFAULT_GRACE


def test_load_accepts_text_dict_and_reports_yaml_errors():
    docs = k8s.load("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\n")
    assert len(docs) == 2
    assert k8s.load({"apiVersion": "v1", "kind": "Pod"})[0]["kind"] == "Pod"
    with pytest.raises(LabError, match="YAML 문법 오류"):
        k8s.load("a: b\n  c: d\n")
    with pytest.raises(LabError, match="Kubernetes 문서가 아니다"):
        k8s.load("just: data\n")
    with pytest.raises(LabError, match="컨테이너가 있는 문서"):
        k8s.first_container("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n")
