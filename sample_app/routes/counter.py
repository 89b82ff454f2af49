"""카운터: 상태를 어디에 두느냐에 따라 워커 여러 개에서 결과가 달라진다 (12-팩터 VI. 프로세스).

`REDIS_URL`이 있으면 Redis `INCR`로 모든 워커·컨테이너가 값 하나를 나눠 쓴다.
없으면 프로세스 메모리에 두므로 워커마다 값이 따로 논다(응답의 `pid`를 보라).
"""

from __future__ import annotations

import os

from fastapi import APIRouter, HTTPException, Request
from redis.exceptions import RedisError

router = APIRouter(prefix="/counter", tags=["counter"])

REDIS_KEY = "sample_app:counter"


def _answer(value: int, backend: str) -> dict:
    return {"value": value, "backend": backend, "pid": os.getpid()}


def _redis_unavailable(exc: RedisError) -> HTTPException:
    return HTTPException(status_code=503, detail=f"Redis에 닿지 못했다: {type(exc).__name__}: {exc}")


@router.get("", summary="카운터 읽기 (backend: redis 또는 memory)")
async def read_counter(request: Request) -> dict:
    state = request.app.state
    if state.redis is None:
        return _answer(state.memory_counter, "memory")
    try:
        return _answer(int(await state.redis.get(REDIS_KEY) or 0), "redis")
    except RedisError as exc:
        raise _redis_unavailable(exc) from exc


@router.post("", summary="카운터 1 올리기")
async def increment_counter(request: Request) -> dict:
    state = request.app.state
    if state.redis is None:
        state.memory_counter += 1
        return _answer(state.memory_counter, "memory")
    try:
        # INCR은 Redis 안에서 원자적으로 일어나므로 여러 워커가 동시에 올려도 빠지는 값이 없다
        return _answer(await state.redis.incr(REDIS_KEY), "redis")
    except RedisError as exc:
        raise _redis_unavailable(exc) from exc


@router.delete("", summary="카운터를 0으로 되돌리기 (실습 준비용)")
async def reset_counter(request: Request) -> dict:
    state = request.app.state
    if state.redis is None:
        state.memory_counter = 0
        return _answer(0, "memory")
    try:
        await state.redis.delete(REDIS_KEY)
    except RedisError as exc:
        raise _redis_unavailable(exc) from exc
    return _answer(0, "redis")
