"""앱 조립: 설정, 로그, lifespan, 미들웨어, 라우터, 정적 파일을 묶는다.

서버는 `sample_app.main:app`을 불러온다. 불러올 때 설정을 검증하므로
SECRET_KEY가 없거나 ENVIRONMENT·LOG_LEVEL이 잘못되면 첫 요청이 아니라 시작 순간에 분명한 오류로 멈춘다.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError

from sample_app.config import get_settings
from sample_app.db import database_error_handler
from sample_app.lifespan import lifespan
from sample_app.logs import configure_logging
from sample_app.process import RequestCounter
from sample_app.routes import counter, health, info, notes, work, ws

STATIC_DIR = Path(__file__).parent / "static"


def create_app() -> FastAPI:
    """설정을 읽어 새 앱을 만든다. 자원(DB·Redis 연결 풀)은 lifespan이 시작할 때 연다."""
    settings = get_settings()
    configure_logging(settings.effective_log_level)

    app = FastAPI(
        title=settings.app_name,
        version=settings.app_version,
        debug=settings.debug,
        lifespan=lifespan,
    )
    app.add_middleware(RequestCounter)
    app.add_exception_handler(DBAPIError, database_error_handler)
    for module in (info, health, work, counter, notes, ws):
        app.include_router(module.router)
    if settings.lab_endpoints:
        # 실습 전용 경로는 켰을 때만 라우터에 붙는다: 꺼져 있으면 404이고 `/`의 목록과 OpenAPI에도 없다
        for module in (info, work, counter):
            app.include_router(module.lab_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
