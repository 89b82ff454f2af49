"""카운터: 상태를 어디에 두느냐에 따라 워커 여러 개에서 결과가 달라진다 (12-팩터 VI. 프로세스).

`REDIS_URL`이 있으면 Redis `INCR`로 모든 워커·컨테이너가 값 하나를 나눠 쓴다.
없으면 프로세스 메모리에 두므로 워커마다 값이 따로 논다(응답의 `pid`를 보라).
"""

from __future__ import annotations

import os

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import RedisError

from sample_app.db import ErrorBody
from sample_app.logs import get_logger

router = APIRouter(prefix="/counter", tags=["counter"])
lab_router = APIRouter(prefix="/counter", tags=["counter (실습 전용)"])
"""`LAB_ENDPOINTS=true`일 때만 붙는다: 누구나 공유 카운터를 0으로 되돌리게 두지 않는다."""

log = get_logger("counter")

REDIS_KEY = "sample_app:counter"

REDIS_UNAVAILABLE = ErrorBody(code="redis_unavailable", detail="Redis에 닿지 못했다. 원인은 서버 로그에 있다.")
ERRORS = {503: {"model": ErrorBody, "description": "Redis가 응답하지 않는다"}}


class Counter(BaseModel):
    value: int
    backend: Literal["redis", "memory"]
    pid: int


def _answer(value: int, backend: Literal["redis", "memory"]) -> Counter:
    return Counter(value=value, backend=backend, pid=os.getpid())


def _redis_unavailable(exc: RedisError) -> JSONResponse:
    # 예외 문구(주소, 포트)는 응답에 넣지 않고 로그에만 남긴다
    log.error("[counter] Redis 오류", exc_info=exc)
    return JSONResponse(status_code=503, content=REDIS_UNAVAILABLE.model_dump())


@router.get("", summary="카운터 읽기 (backend: redis 또는 memory)", response_model=Counter, responses=ERRORS)
async def read_counter(request: Request) -> Counter | JSONResponse:
    state = request.app.state
    if state.redis is None:
        return _answer(state.memory_counter, "memory")
    try:
        return _answer(int(await state.redis.get(REDIS_KEY) or 0), "redis")
    except RedisError as exc:
        return _redis_unavailable(exc)


@router.post("", summary="카운터 1 올리기", response_model=Counter, responses=ERRORS)
async def increment_counter(request: Request) -> Counter | JSONResponse:
    state = request.app.state
    if state.redis is None:
        state.memory_counter += 1
        return _answer(state.memory_counter, "memory")
    try:
        # INCR은 Redis 안에서 원자적으로 일어나므로 여러 워커가 동시에 올려도 빠지는 값이 없다
        return _answer(await state.redis.incr(REDIS_KEY), "redis")
    except RedisError as exc:
        return _redis_unavailable(exc)


@lab_router.delete("", summary="카운터를 0으로 되돌리기 (실습 준비용)", response_model=Counter, responses=ERRORS)
async def reset_counter(request: Request) -> Counter | JSONResponse:
    state = request.app.state
    if state.redis is None:
        state.memory_counter = 0
        return _answer(0, "memory")
    try:
        await state.redis.delete(REDIS_KEY)
    except RedisError as exc:
        return _redis_unavailable(exc)
    return _answer(0, "redis")
