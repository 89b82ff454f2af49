"""gunicorn 설정 (02 레슨). 시드의 `gunicorn.conf.py`를 2026년 관행에 맞춘 코스의 설정이다.

    gunicorn -c sample_app/gunicorn.conf.py sample_app.main:app
    GUNICORN_WORKER_CLASS=gthread gunicorn -c sample_app/gunicorn.conf.py sample_app.wsgi:application

시드와 다른 점과 까닭:
- 워커 수를 `cpu_count() * 2 + 1`로 계산하지 않는다. 그 식은 sync WSGI 워커의 경험칙이고, 비동기 워커는
  코어당 하나 정도면 된다. 게다가 컨테이너 안의 `os.cpu_count()`는 호스트의 코어 수를 보인다.
  그래서 배포 환경이 `WEB_CONCURRENCY`로 정해 준다 (uvicorn과 gunicorn 모두 이 이름을 안다).
- 워커 클래스는 FastAPI 앱에 맞는 `uvicorn_worker.UvicornWorker`가 기본이다
  (`uvicorn.workers.UvicornWorker`는 uvicorn 0.30부터 폐기 예정이다).
- 기본 바인드는 루프백이다. `GUNICORN_BIND`가 있으면 그것을, 없고 `PORT`가 있으면 gunicorn 자신의 규칙처럼
  `0.0.0.0:$PORT`를 쓴다 (예제 이미지는 `PORT=8000`을 준다: 컨테이너 밖에서 들어오려면 모든 주소에서 들어야 한다).
- `X-Forwarded-*`는 앞단 프록시의 주소에서 온 것만 믿는다 (`*`는 열린 네트워크에서 쓰지 않는다).
  `FORWARDED_ALLOW_IPS`에 주소나 대역(CIDR, gunicorn 24.1.1+·uvicorn 0.31+)을 쉼표로 적는다.
명령행 인자는 이 파일보다 우선한다: `--bind`, `--workers`를 주면 그 값이 이긴다.
예제 이미지(`sample_app/Dockerfile`)도 이 파일로 gunicorn을 띄운다 (`gunicorn -c sample_app/gunicorn.conf.py …`).
컨테이너에 맞춘 값(유예 시간 20초, /dev/shm, 제어 소켓 끔)은 이미지의 ENV가 아래 환경 변수로 준다.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _bind() -> str:
    if os.environ.get("GUNICORN_BIND", "").strip():
        return os.environ["GUNICORN_BIND"].strip()
    port = os.environ.get("PORT", "").strip()
    return f"0.0.0.0:{port}" if port else "127.0.0.1:8000"


bind = _bind()
workers = _int("WEB_CONCURRENCY", 2)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "uvicorn_worker.UvicornWorker")
threads = _int("GUNICORN_THREADS", 4)  # gthread 워커만 쓴다

# 워커가 이 시간 동안 마스터에 살아 있다고 알리지 못하면 마스터가 죽이고 새로 띄운다
timeout = _int("GUNICORN_TIMEOUT", 60)
# SIGTERM 뒤 처리 중인 요청을 끝낼 시간. 오케스트레이터의 종료 유예 시간보다 짧게 둔다 (07 레슨)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# 앞단 nginx가 연결을 재사용할 수 있게 기본값(2초)보다 조금 길게 둔다 (04 레슨)
# 그래서 nginx 업스트림의 `keepalive_timeout`은 이보다 짧게 둔다 (compose/nginx/conf.d/default.conf)
keepalive = 5

# 워커를 요청 1000건 안팎마다 새로 띄운다: 느리게 새는 메모리를 되돌린다. 지터로 동시에 재시작하지 않게 한다
max_requests = 1000
max_requests_jitter = 100

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# 워커 생존 신호 파일을 둘 폴더. 컨테이너에서는 메모리 파일 시스템(/dev/shm)을 준다. 비우면 gunicorn 기본값(임시 폴더)
if os.environ.get("GUNICORN_WORKER_TMP_DIR", "").strip():
    worker_tmp_dir = os.environ["GUNICORN_WORKER_TMP_DIR"].strip()

# gunicorn 25.1+의 제어 소켓(`gunicornc`가 붙는 ~/.gunicorn/gunicorn.ctl). 홈 폴더가 없는 컨테이너 사용자는 끈다
if os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip().lower() in ("off", "0", "false", "no"):
    control_socket_disable = True

# 메모리(쓰기 시 복사)와 SIGHUP 리로드 사이의 선택이다. 코드는 배포마다 프로세스를 새로 띄워 바꾸므로
# 메모리가 빠듯하면 켠다. 켜면 SIGHUP으로는 새 코드를 읽지 못한다 (02 레슨에서 직접 본다).
preload_app = os.environ.get("GUNICORN_PRELOAD", "0") == "1"
