"""05·06 레슨 도우미(labs.dockerlab)를 실제 파일·엔진·Compose로 검증한다.

엔진이 필요 없는 검사(작업 폴더, 빌드 컨텍스트, 빌드 로그 읽기, /hello 엔드포인트, 복제본 세기)는 어디서나 돌고,
나머지는 `requires("docker")`다. 테스트가 만든 것은 `course.lab=t-dockerlab` 레이블과 `course-test/dockerlab-…`
태그만 쓰고, 모듈이 끝나면 레이블로 치운다.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

import labs
from labs import docker, dockerlab, registry
from labs.checkpoints.docker_compose import real_waves
from labs.errors import LabError

LAB = "t-dockerlab"
APP_TAG = "course-test/dockerlab-app:latest"
SECRET = {"SECRET_KEY": "test-only-secret-key-for-dockerlab-0123456789"}
needs_docker = pytest.mark.requires("docker")


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    labs.cleanup(LAB, quiet=True)


@pytest.fixture(scope="module")
def app_image():
    from labs import images

    images.prepare(skip_dev=True, progress=False)
    return dockerlab.build(dockerlab.SAMPLE_APP, APP_TAG, LAB, progress=False)


# ---- 엔진 없이 ----------------------------------------------------------------

def test_workspace_is_cleaned_by_cleanup_even_after_kernel_restart():
    ws = dockerlab.workspace(LAB, "ws-test")
    (ws / "file.txt").write_text("x")
    assert ws in registry.live(LAB)
    # 커널을 재시작해 등록부가 비었다고 치고, 같은 레슨의 다른 폴더를 직접 만든다.
    stale = ws.path.parent / "stale"
    stale.mkdir()
    done = labs.cleanup(LAB, quiet=True)
    assert not ws.path.exists() and not stale.exists()
    assert any("stale" in d for d in done)
    # 다시 만들면 비어 있다.
    again = dockerlab.workspace(LAB, "ws-test")
    assert list(again.path.iterdir()) == []
    again.stop()
    assert not again.path.exists()


def test_copy_app_is_a_copy_with_fixed_mtimes(tmp_path):
    ctx = dockerlab.copy_app(tmp_path / "sample_app")
    assert (ctx / "main.py").read_text() == (dockerlab.SAMPLE_APP / "main.py").read_text()
    assert not (ctx / "node" / "node_modules").exists()
    assert {int(p.stat().st_mtime) for p in ctx.rglob("*")} == {dockerlab.FIXED_MTIME}
    line = dockerlab.touch_code(ctx)
    assert line in (ctx / "main.py").read_text()
    assert line not in (dockerlab.SAMPLE_APP / "main.py").read_text(), "저장소 원본은 그대로다"


def test_context_info_shows_what_seed_and_course_dockerignore_let_through(tmp_path):
    ctx = dockerlab.copy_app(tmp_path / "sample_app")
    planted = dockerlab.plant_clutter(ctx)
    assert {row["경로"] for row in planted} >= {".env", ".env.production", "node/node_modules/"}
    everything = dockerlab.context_info(ctx, [])
    seed = dockerlab.context_info(ctx, dockerlab.read_patterns(dockerlab.SEED_DOCKERIGNORE))
    ours = dockerlab.context_info(ctx)   # 복사본의 sample_app/.dockerignore
    assert everything.has(".env") and everything.has(".git")
    # 시드의 목록: .env와 .git은 빼지만, 변형된 시크릿과 하위 폴더의 캐시·node_modules는 놓친다
    assert not seed.has(".env") and not seed.has(".git")
    assert seed.has(".env.production") and seed.has("routes/__pycache__") and seed.has("node/node_modules")
    for path in (".env", ".env.production", ".git", "routes/__pycache__", "sample_app.db", "logs", "node"):
        assert not ours.has(path), path
    assert ours.has("main.py") and ours.has("routes/health.py")
    assert everything.size > seed.size > 10 * ours.size
    assert ours.size_mb < 1


def test_build_steps_reads_cache_flags_from_a_build_log():
    log = ["Step 1/4 : ARG PYTHON_IMAGE=python:3.13-slim", "Step 2/4 : FROM ${PYTHON_IMAGE}", " ---> abc",
           "Step 3/4 : RUN pip install -r requirements.txt", " ---> Using cache", " ---> def",
           "Step 4/4 : COPY . ./sample_app", " ---> 123"]
    result = docker.BuildResult("t", "id", 1.0, 1, 1, 4, 1, log)
    steps = dockerlab.build_steps(result)
    assert [s["캐시"] for s in steps] == [None, None, True, False]
    assert dockerlab.step_cached(result, "pip install") is True
    assert dockerlab.first_rebuilt(result) == "COPY . ./sample_app"
    with pytest.raises(LabError):
        dockerlab.step_cached(result, "apt-get")


def test_set_hello_adds_then_replaces_the_route(tmp_path):
    src = dockerlab.copy_app(tmp_path / "sample_app")
    dockerlab.set_hello(src, "하나")
    dockerlab.set_hello(src, "둘")
    text = (src / "routes" / "info.py").read_text()
    assert text.count('@router.get("/hello"') == 1 and "'둘'" in text and "'하나'" not in text
    compile(text, "info.py", "exec")


def test_spread_counts_replicas_from_real_whoami_bodies():
    labs.migrate(LAB)
    with labs.start_uvicorn(LAB, workers=2) as srv:
        result = labs.load(srv.url + "/whoami", concurrency=4, requests=60, keep_body=True)
        counts = dockerlab.spread(result)
        host = json.loads(urllib.request.urlopen(srv.url + "/whoami").read())["hostname"]
        assert counts == {host: 60}
        assert dockerlab.spread(result, {host: "app-1"}) == {"app-1": 60}
        assert dockerlab.wait_replicas(srv.url + "/whoami", 1) == {host}
        with pytest.raises(LabError):
            dockerlab.wait_replicas(srv.url + "/whoami", 2, timeout=1)


def test_side_by_side_aligns_korean_titles(capsys):
    dockerlab.side_by_side("a\nbb", "x", ("나쁜 순서", "좋은 순서"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("나쁜 순서") and lines[0].endswith("좋은 순서")
    assert lines[2].startswith("a ") and lines[2].endswith("x")
    assert lines[0].index("좋") + 4 == lines[2].index("x"), "한글은 두 칸으로 센다"


@pytest.mark.requires("node")
def test_npm_dry_run_compares_only_production_and_omit_dev():
    only = dockerlab.npm_dry_run(LAB, "--only=production")
    omit = dockerlab.npm_dry_run(LAB, "--omit=dev")
    full = dockerlab.npm_dry_run(LAB)
    assert only.packages == omit.packages < full.packages
    assert not omit.has_pm2 and full.has_pm2
    assert any("--omit=dev" in w for w in only.warnings) and not omit.warnings
    assert not (dockerlab._work_root(LAB) / "npm").exists(), "작업 폴더를 치운다"


# ---- 엔진과 함께 ---------------------------------------------------------------

@needs_docker
def test_layer_cache_good_order_skips_pip_bad_order_does_not(tmp_path, app_image):
    ctx = dockerlab.copy_app(tmp_path / "sample_app")
    for name, text in (("bad", dockerlab.ORDER_BAD), ("good", dockerlab.ORDER_GOOD)):
        dockerlab.write_dockerfile(ctx, text)
        dockerlab.build(ctx, f"course-test/dockerlab-{name}:v1", LAB, progress=False)
    dockerlab.touch_code(ctx)
    rebuilt = {}
    for name, text in (("bad", dockerlab.ORDER_BAD), ("good", dockerlab.ORDER_GOOD)):
        dockerlab.write_dockerfile(ctx, text)
        rebuilt[name] = dockerlab.build(ctx, f"course-test/dockerlab-{name}:v2", LAB, progress=False)
    assert not dockerlab.step_cached(rebuilt["bad"], "pip install")
    assert dockerlab.step_cached(rebuilt["good"], "pip install")
    assert dockerlab.first_rebuilt(rebuilt["good"]) == "COPY . ./sample_app"
    assert rebuilt["good"].seconds < rebuilt["bad"].seconds


@needs_docker
def test_secret_copied_then_removed_is_still_in_a_lower_layer(tmp_path):
    ctx = tmp_path / "secret"
    ctx.mkdir()
    (ctx / ".env").write_text(dockerlab.ENV_TEXT)
    dockerlab.write_dockerfile(ctx, dockerlab.SECRET_THEN_RM)
    tag = "course-test/dockerlab-secret:latest"
    dockerlab.build(ctx, tag, LAB, progress=False)
    assert dockerlab.read_file(tag, "/app/.env", LAB) is None
    hits = dockerlab.find_in_layers(tag, ".env")
    assert len(hits) == 1 and hits[0].path == "app/.env" and hits[0].instruction.startswith("COPY")
    assert dockerlab.FAKE_SECRET in hits[0].text
    assert docker.require_docker().containers.list(all=True, filters={"label": f"course.lab={LAB}"}) == []


@needs_docker
def test_legacy_builder_rejects_cache_mount_and_report_is_honest(tmp_path):
    ok, note = dockerlab.buildkit_report()
    assert ok == docker.buildkit_available() and ("✅" if ok else "❌") in note
    ctx = dockerlab.copy_app(tmp_path / "sample_app")
    dockerlab.write_dockerfile(ctx, dockerlab.CACHE_MOUNT)
    with pytest.raises(LabError) as info:   # SDK 빌드는 언제나 기존 빌더다
        dockerlab.build(ctx, "course-test/dockerlab-mount:latest", LAB, progress=False)
    assert "--mount option requires BuildKit" in str(info.value)
    if not ok:
        with pytest.raises(LabError):
            dockerlab.buildkit_rebuild(ctx, ctx / "Dockerfile", "course-test/dockerlab-mount:latest")


@needs_docker
def test_exec_form_gets_sigterm_shell_form_gets_sigkill(app_image):
    c = docker.run(APP_TAG, LAB, ports={8000: None}, env=SECRET, wait_healthy=False, ready_path="/health")
    assert dockerlab.pid1(c).startswith("/opt/venv/bin/python /opt/venv/bin/gunicorn")
    seconds, code = dockerlab.stop_timed(c, timeout=5)
    assert code == 0 and seconds < 5
    shell = docker.run(APP_TAG, LAB, ports={8000: None}, env=SECRET, wait_healthy=False, ready_path="/health",
                       command=["/bin/sh", "-c", "gunicorn sample_app.main:app -k uvicorn_worker.UvicornWorker"])
    assert dockerlab.pid1(shell).startswith("/bin/sh -c gunicorn")
    seconds, code = dockerlab.stop_timed(shell, timeout=2)
    assert code == 137 and seconds >= 2


@needs_docker
def test_frozen_workers_turn_unhealthy_and_heal(app_image):
    assert dockerlab.healthcheck_config(APP_TAG)["간격(초)"] == 10.0
    c = docker.run(APP_TAG, LAB, env=SECRET, wait_healthy=False, healthcheck={"interval": 1, "timeout": 1, "retries": 2})
    try:
        assert docker.health_transitions(c, timeout=60, show=False)[-1][1] == "healthy"
        assert dockerlab.freeze_workers(c) == 2
        assert c.status() == "running"
        assert docker.health_transitions(c, timeout=30, until=("unhealthy",), show=False)[-1][1] == "unhealthy"
        assert "exceeded timeout" in c.reload()["State"]["Health"]["Log"][-1]["Output"]
        assert dockerlab.freeze_workers(c, resume=True) == 2
        assert docker.health_transitions(c, timeout=30, until=("healthy",), show=False)[-1][1] == "healthy"
    finally:
        c.stop(timeout=2)


@needs_docker
def test_run_once_and_user(app_image):
    assert dockerlab.run_once(APP_TAG, LAB, ["id", "-u"]) == "10001"
    with pytest.raises(LabError):
        dockerlab.run_once(APP_TAG, LAB, ["false"])


@needs_docker
def test_oom_probe_is_killed_at_the_limit():
    from labs.images import image_env

    result = dockerlab.oom_probe(image_env()["PYTHON_IMAGE"], LAB, limit_mb=48, allocate_mb=160)
    assert result.oom_killed and result.exit_code == 137
    assert 0 < result.reached_mb <= 48
    assert str(result).startswith("✅")


@needs_docker
def test_image_summary_and_lesson_images(capsys):
    rows = dockerlab.image_summary()
    assert {r["변수"] for r in rows} >= {"PYTHON_IMAGE", "POSTGRES_IMAGE", "NGINX_IMAGE"}
    assert "PYTHON_IMAGE" in capsys.readouterr().out
    assert all(t.startswith("course-") for t in dockerlab.lesson_images(LAB))


MINI_STACK = """
services:
  cache:
    image: ${REDIS_IMAGE}
    restart: unless-stopped
    healthcheck: {test: ["CMD", "redis-cli", "ping"], interval: 1s, timeout: 2s, retries: 10}
    volumes: [cache_data:/data]
    labels: {course.lab: "${COURSE_LAB}"}
  job:
    image: ${REDIS_IMAGE}
    command: ["redis-cli", "-h", "cache", "set", "ready", "1"]
    depends_on: {cache: {condition: service_healthy}}
    labels: {course.lab: "${COURSE_LAB}"}
  web:
    image: ${REDIS_IMAGE}
    restart: unless-stopped
    depends_on: {job: {condition: service_completed_successfully}}
    deploy: {resources: {limits: {memory: 64M, cpus: "0.25"}}}
    labels: {course.lab: "${COURSE_LAB}"}
volumes:
  cache_data:
    labels: {course.lab: "${COURSE_LAB}"}
networks:
  default:
    labels: {course.lab: "${COURSE_LAB}"}
"""


@needs_docker
def test_events_order_restart_policy_and_volumes(tmp_path):
    (tmp_path / "compose.yaml").write_text(MINI_STACK)
    project = "course-test-dockerlab"
    stack = docker.Compose(project, lab=LAB, files=[tmp_path / "compose.yaml"])
    try:
        with dockerlab.EventRecorder(project) as events:
            stack.up(build=False, timeout=90)
        assert events.order()[0] == "cache" and events.order()[1:] == ["job", "web"]
        assert [sorted(w) for w in real_waves(events)] == [["cache"], ["job"], ["web"]]
        assert events.first("job", "start") > events.first("cache", "health_status: healthy")
        assert any(e.action == "die" and e.exit_code == 0 for e in events.of("job"))
        dockerlab.plot_timeline(events, title="시험", save=tmp_path / "timeline.png")
        assert (tmp_path / "timeline.png").stat().st_size > 1000

        summary = dockerlab.ps_summary(stack.ps(all=True))
        assert "job: exited (종료 코드 0)" in summary and "cache: running/healthy" in summary
        rows = {r["서비스"]: r for r in dockerlab.describe_services(stack.config())}
        assert rows["job"]["기다리는 조건"] == "cache(healthy)" and rows["cache"]["헬스 체크"] == "있음"
        assert rows["web"]["한도"] == "CPU 0.25, 메모리 64MiB"
        web = dockerlab.service_containers(project, "web")[0]
        assert dockerlab.limits(web) == {"메모리 한도(MiB)": 64, "CPU 한도(코어)": 0.25, "재시작 정책": "unless-stopped"}
        assert 0 < dockerlab.memory_usage_mb(web) < 64

        cache = dockerlab.service_containers(project, "cache")[0]
        before = cache.reload()["RestartCount"]
        with dockerlab.EventRecorder(project) as crash:
            how = dockerlab.crash(cache)
            after = dockerlab.wait_restarted(cache, before)
        assert how and after["재시작 횟수"] == before + 1 and after["헬스"] == "healthy"
        assert [e.action for e in crash.of("cache")][:2] == ["die", "start"]

        cache.kill()   # 사람이 멈춘 것: 재시작하지 않는다
        assert dockerlab.stays(cache, "exited", seconds=2)
        assert dockerlab.start_again(cache) == "healthy"

        assert dockerlab.project_volumes(project) == [f"{project}_cache_data"]
        stack.down(volumes=False)
        assert dockerlab.project_volumes(project) == [f"{project}_cache_data"]
        assert dockerlab.leftovers(LAB)["컨테이너"] == 0
    finally:
        stack.down(volumes=True)
    assert dockerlab.project_volumes(project) == []
    assert dockerlab.leftovers(LAB) == {"컨테이너": 0, "네트워크": 0, "볼륨": 0}


@needs_docker
def test_dev_override_is_accepted_and_mounts_the_source(tmp_path):
    src = dockerlab.copy_app(tmp_path / "sample_app")
    dev = docker.Compose("course-test-dev", lab=LAB, files=[dockerlab.registry.PROJECT_ROOT / "compose" / "compose.yaml",
                                                          dockerlab.registry.PROJECT_ROOT / "compose" / "compose.dev.yaml"],
                         env={"SECRET_KEY": "x" * 40, "APP_SRC": str(src), "APP_DEV_PORT": "18000"})
    app = dev.config()["services"]["app"]
    assert "--reload" in app["command"] and app["command"][0] == "uvicorn"
    assert [(v["type"], v["source"], v["target"], v.get("read_only")) for v in app["volumes"]] == [
        ("bind", str(src), "/app/sample_app", True)]
    assert [(p["host_ip"], p["published"], p["target"]) for p in app["ports"]] == [("127.0.0.1", "18000", 8000)]
    # 프로덕션 파일의 나머지(헬스 체크, 의존 조건)는 그대로 물려받는다.
    assert app["healthcheck"]["test"][0] == "CMD" and app["depends_on"]["migrate"]
    override = dockerlab.build_from_copy(tmp_path, src)
    rebuild = docker.Compose("course-test-dev", lab=LAB, env={"SECRET_KEY": "x" * 40},
                             files=[dockerlab.registry.PROJECT_ROOT / "compose" / "compose.yaml", override])
    assert rebuild.config()["services"]["app"]["build"]["context"] == str(src)


def test_compose_command_is_repeatable_from_the_repo_root(tmp_path):
    stack = docker.Compose("course-06", lab=LAB, files=[registry.PROJECT_ROOT / "compose" / "compose.yaml",
                                                        tmp_path / "override.yaml"])
    # 저장소 안의 파일은 상대 경로로, 작업 폴더(이 기계의 임시 경로)는 이름만 보인다.
    assert dockerlab.compose_command(stack, "exec", "-T", "db", "psql", "-tAc", "SHOW statement_timeout") == (
        "docker compose -p course-06 -f compose/compose.yaml -f override.yaml "
        "exec -T db psql -tAc 'SHOW statement_timeout'")


def test_start_marks_tables_compare_started_at():
    before = {"db-1": {"StartedAt": "2026-12-03T10:00:00.1Z", "RestartCount": 0},
              "app-1": {"StartedAt": "2026-12-03T10:00:05.1Z", "RestartCount": 0}}
    after = {"db-1": {"StartedAt": "2026-12-03T10:01:00.1Z", "RestartCount": 1},
             "app-1": {"StartedAt": "2026-12-03T10:00:05.1Z", "RestartCount": 0}}
    assert dockerlab.restarted(before, after) == ["db-1"]
    rows = dockerlab.marks_table(before, ("장애 뒤", after))
    assert rows[0] == {"컨테이너": "db-1", "처음 StartedAt": "10:00:00", "처음 RestartCount": 0,
                       "장애 뒤 StartedAt": "10:01:00", "장애 뒤 RestartCount": 1}


DEPENDS_STACK = """
services:
  redis:
    image: ${REDIS_IMAGE}
    command: ["redis-server", "--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru", "--save", ""]
    restart: unless-stopped
    healthcheck: {test: ["CMD", "redis-cli", "ping"], interval: 1s, timeout: 2s, retries: 10}
    labels: {course.lab: "${COURSE_LAB}"}
  web:
    image: ${REDIS_IMAGE}
    command: ["redis-server", "--port", "6380"]
    restart: unless-stopped
    depends_on: {redis: {condition: service_healthy, restart: true}}
    labels: {course.lab: "${COURSE_LAB}"}
networks:
  default:
    labels: {course.lab: "${COURSE_LAB}"}
"""


@needs_docker
def test_depends_on_restart_only_follows_compose_restarts_and_redis_evicts(tmp_path, capsys):
    (tmp_path / "compose.yaml").write_text(DEPENDS_STACK)
    project = "course-test-depends"
    stack = docker.Compose(project, lab=LAB, files=[tmp_path / "compose.yaml"])
    try:
        stack.up(build=False, timeout=90)
        watched = dockerlab.service_containers(project, "redis") + dockerlab.service_containers(project, "web")
        m0 = dockerlab.start_marks(watched)
        assert set(m0) == {"redis-1", "web-1"}
        dockerlab.crash(watched[0])
        dockerlab.wait_restarted(watched[0], m0["redis-1"]["RestartCount"])
        time.sleep(2)
        m1 = dockerlab.start_marks(watched)
        assert dockerlab.restarted(m0, m1) == ["redis-1"]          # 엔진의 재시작: web은 그대로
        dockerlab.compose_run(stack, "restart", "redis", show=False)
        dockerlab.wait_healthy_all(watched)
        m2 = dockerlab.start_marks(watched)
        assert set(dockerlab.restarted(m1, m2)) == {"redis-1", "web-1"}   # Compose의 재시작: restart: true
        assert m2["redis-1"]["RestartCount"] == 0 and m2["web-1"]["RestartCount"] == 0
        assert f"$ docker compose -p {project} -f compose.yaml restart redis" in capsys.readouterr().out

        assert dockerlab.redis_config(stack, "maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
        commands = tmp_path / "fill.txt"   # redis-cli는 표준 입력의 줄마다 명령 하나를 실행한다
        commands.write_text("".join(f"SET k{i} {'x' * 100_000}\n" for i in range(60)))   # 4 MiB 한도에 6 MB
        out = dockerlab.compose_run(stack, "exec", "-T", "redis", "redis-cli", stdin=commands, show=False)
        assert out.output.split() == ["OK"] * 60   # allkeys-lru: 거절하지 않고 오래된 키를 지운다
        assert f"exec -T redis redis-cli < {commands.name}" in capsys.readouterr().out
        assert int(dockerlab.redis_info(stack)["evicted_keys"]) > 0
        assert dockerlab.initdb_lines(watched[0]) == []
    finally:
        stack.down(volumes=True, show=False)
