"""04 레슨 체크포인트 채점기를 맞는 답과 틀린 답으로 검증한다 (실제 nginx와 uvicorn)."""

import pytest

import labs
from labs.checkpoints import nginx_reverse_proxy as cp

LAB = "t-checkpoint-04"
pytestmark = pytest.mark.requires("nginx")

FIXED = """
server {
    listen 127.0.0.1:{{port}};
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always;
    location / {
        proxy_pass http://backend;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
    location /static/ {
        alias {{static}}/;
        add_header Cache-Control "public";
        add_header X-Content-Type-Options nosniff always;
        add_header X-Frame-Options DENY always;
    }
}
"""

LIMITS = """
limit_req_zone $binary_remote_addr zone=perip:10m rate=5r/s;
server {
    listen 127.0.0.1:{{port}};
    client_max_body_size 2m;
    location / {
        limit_req zone=perip burst=10 nodelay;
        limit_req_status 429;
        proxy_pass http://backend;
    }
}
"""


@pytest.fixture(scope="module")
def apps():
    labs.migrate(LAB)
    args = ["--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]
    servers = [labs.start_uvicorn(LAB, args=args) for _ in range(2)]
    yield servers
    labs.cleanup(LAB, quiet=True)


def passed(grader, ns):
    return [o.passed for o in grader.score({"LAB": LAB, **ns}).outcomes]


def test_fixed_server_block_gets_full_marks(apps):
    assert all(passed(cp.fix_server_block, {"fixed_conf": FIXED, "apps": apps}))


def test_broken_block_fails_everything_but_the_template(apps):
    assert passed(cp.fix_server_block, {"fixed_conf": cp.BROKEN_SERVER, "apps": apps}) == [True] + [False] * 6


def test_syntax_fixed_but_headers_missing(apps):
    only_syntax = cp.BROKEN_SERVER.replace("{{port}}\n", "{{port}};\n").replace("backnd", "backend")
    # 프록시는 되지만 X-Forwarded-For/Proto가 없고, 정적 파일은 보안 헤더를 잃는다
    assert passed(cp.fix_server_block, {"fixed_conf": only_syntax, "apps": apps}) == \
        [True, True, True, False, False, False, True]


def test_add_header_trap_alone(apps):
    trap = "\n".join(line for line in FIXED.splitlines()
                     if not (line.startswith("        add_header X-") and "always" in line))
    assert passed(cp.fix_server_block, {"fixed_conf": trap, "apps": apps}) == [True] * 5 + [False, True]


def test_missing_answer_and_placeholders(apps):
    assert not any(passed(cp.fix_server_block, {"apps": apps}))
    assert "정하지 않았다" in cp.fix_server_block.score({"apps": apps}).outcomes[0].note
    assert not passed(cp.fix_server_block, {"fixed_conf": "server {}", "apps": apps})[0]


def test_limits_right_answer(apps):
    assert all(passed(cp.rate_and_body_limits, {"limits_conf": LIMITS, "apps": apps}))


@pytest.mark.parametrize("change, failing", [
    (("        limit_req_status 429;\n", ""), 1),          # 기본값 503으로 거절
    (("burst=10", "burst=20"), 2),                        # 버스트가 너무 크다
    (("    client_max_body_size 2m;\n", ""), 5),          # 기본값 1 MB: 1.5 MB가 막힌다
])
def test_limits_wrong_answers_fail_one_criterion(apps, change, failing):
    result = passed(cp.rate_and_body_limits, {"limits_conf": LIMITS.replace(*change), "apps": apps})
    assert [i for i, ok in enumerate(result) if not ok] == [failing]
