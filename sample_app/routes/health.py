"""헬스 체크 (07 레슨): 라이브니스는 의존성을 보지 않고, 레디니스는 DB와 Redis를 본다.

라이브니스가 DB를 확인하면, DB가 잠깐 죽었을 때 오케스트레이터가 멀쩡한 앱 컨테이너까지
재시작한다. 그래서 `/health`는 프로세스가 응답하는지만 본다.

응답에는 예외 메시지를 넣지 않는다: 드라이버의 오류 문구에는 호스트 이름, 사용자 이름, 내부 주소가
들어 있곤 하고, 헬스 엔드포인트는 인증 없이 열려 있다. 원인은 서버 로그에 남기고, 응답에는 늘 같은
짧은 코드(`error: timeout`, `error: unavailable`)만 준다.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, field_serializer

from sample_app import cache, db
from sample_app.config import Settings, get_settings
from sample_app.logs import get_logger

router = APIRouter(tags=["health"])
log = get_logger("health")

OK = "ok"
SKIPPED = "skipped"
TIMEOUT = "error: timeout"
UNAVAILABLE = "error: unavailable"

CheckResult = Literal["ok", "skipped", "error: timeout", "error: unavailable"]


class Liveness(BaseModel):
    status: Literal["ok"] = OK


class Checks(BaseModel):
    database: CheckResult
    redis: CheckResult


class Readiness(BaseModel):
    status: Literal["ok", "degraded"]
    checks: Checks
    timestamp: datetime

    @field_serializer("timestamp")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()  # `+00:00` 꼴 (JSON의 기본 `Z` 대신 datetime.isoformat과 같게)


@router.get("/health", summary="라이브니스 프로브: 프로세스가 살아 있는가 (의존성 확인 없음)")
async def liveness() -> Liveness:
    return Liveness()


async def _check(name: str, probe: Awaitable[None], timeout: float) -> CheckResult:
    """점검 하나를 시간 제한 안에 돌려 `"ok"` 또는 고정된 오류 코드를 돌려준다. 원인은 로그에만 남긴다."""
    try:
        await asyncio.wait_for(probe, timeout)
    except TimeoutError:
        log.warning("[health] %s 점검: %g초 안에 응답이 없다", name, timeout)
        return TIMEOUT
    except Exception:  # noqa: BLE001  어떤 실패든 프로브 결과로 보고한다 (원인은 로그의 트레이스백에)
        log.exception("[health] %s 점검 실패", name)
        return UNAVAILABLE
    return OK


async def _skipped() -> CheckResult:
    """설정하지 않은 의존 서비스(REDIS_URL 없음)는 점검하지 않는다."""
    return SKIPPED


@router.get(
    "/health/ready",
    summary="레디니스 프로브: DB와 Redis가 응답하는가 (실패하면 503)",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "의존 서비스 중 하나 이상이 응답하지 않는다"}},
)
async def readiness(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> JSONResponse:
    timeout = settings.health_check_timeout
    state = request.app.state
    # 두 점검을 함께 돌려 최악의 경우에도 timeout 한 번만큼만 기다린다
    database, redis = await asyncio.gather(
        _check("database", db.ping(state.engine), timeout),
        _check("redis", cache.ping(state.redis), timeout) if state.redis is not None else _skipped(),
    )
    checks = Checks(database=database, redis=redis)
    healthy = all(value in (OK, SKIPPED) for value in (database, redis))
    body = Readiness(status=OK if healthy else "degraded", checks=checks, timestamp=datetime.now(UTC))
    return JSONResponse(status_code=200 if healthy else 503, content=body.model_dump(mode="json"))
