"""로그는 stdout으로 흘려보낸다(12-팩터 XI. 로그): 모으고 보관하는 일은 플랫폼이 한다."""

from __future__ import annotations

import logging
import sys

LOGGER_NAME = "sample_app"
FORMAT = "%(asctime)s %(levelname)s [pid %(process)d] %(message)s"


class StdoutHandler(logging.StreamHandler):
    """쓸 때마다 그 순간의 `sys.stdout`에 쓴다. 노트북 커널과 pytest가 stdout을 바꿔 끼워도 로그가 따라간다."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self):  # noqa: D102
        return sys.stdout

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__이 값을 넣으려 한다
        pass


def configure_logging(level: str = "INFO") -> logging.Logger:
    """`sample_app` 로거에 stdout 핸들러를 한 번만 붙이고 레벨을 맞춘다.

    루트 로거는 건드리지 않는다. uvicorn·gunicorn이 자기 로그 설정을 먼저 해 두므로,
    루트를 바꾸면 서버 로그 형식이 흐트러진다.
    """
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    # 앱을 여러 번 만들어도(테스트, 노트북 재실행) 줄이 겹쳐 찍히지 않게 한다
    if not any(isinstance(h, StdoutHandler) for h in logger.handlers):
        handler = StdoutHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
    logger.propagate = False
    return logger


def get_logger(name: str | None = None) -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)
