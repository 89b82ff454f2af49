"""헬스 체크 (07 레슨): 라이브니스는 의존성을 보지 않고, 레디니스는 DB와 Redis를 본다.

라이브니스가 DB를 확인하면, DB가 잠깐 죽었을 때 오케스트레이터가 멀쩡한 앱 컨테이너까지
재시작한다. 그래서 `/health`는 프로세스가 응답하는지만 본다.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from sample_app import cache, db
from sample_app.config import Settings, get_settings

router = APIRouter(tags=["health"])

OK = "ok"
SKIPPED = "skipped"


@router.get("/health", summary="라이브니스 프로브: 프로세스가 살아 있는가 (의존성 확인 없음)")
async def liveness() -> dict:
    return {"status": OK}


async def _check(probe: Awaitable[None], timeout: float) -> str:
    """점검 하나를 시간 제한 안에 돌려 `"ok"` 또는 `"error: ..."`를 돌려준다."""
    try:
        await asyncio.wait_for(probe, timeout)
    except TimeoutError:
        return f"error: {timeout:g}초 안에 응답이 없다"
    except Exception as exc:  # 어떤 실패든 프로브 결과로 보고한다
        return f"error: {type(exc).__name__}: {exc}"
    return OK


async def _skipped() -> str:
    """설정하지 않은 의존 서비스(REDIS_URL 없음)는 점검하지 않는다."""
    return SKIPPED


@router.get(
    "/health/ready",
    summary="레디니스 프로브: DB와 Redis가 응답하는가 (실패하면 503)",
    responses={503: {"description": "의존 서비스 중 하나 이상이 응답하지 않는다"}},
)
async def readiness(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> JSONResponse:
    timeout = settings.health_check_timeout
    state = request.app.state
    # 두 점검을 함께 돌려 최악의 경우에도 timeout 한 번만큼만 기다린다
    database, redis = await asyncio.gather(
        _check(db.ping(state.engine), timeout),
        _check(cache.ping(state.redis), timeout) if state.redis is not None else _skipped(),
    )
    checks = {"database": database, "redis": redis}
    healthy = all(value in (OK, SKIPPED) for value in checks.values())
    return JSONResponse(
        status_code=200 if healthy else 503,
        content={
            "status": OK if healthy else "degraded",
            "checks": checks,
            "timestamp": datetime.now(UTC).isoformat(),
        },
    )
