"""일부러 느리거나 막히는 엔드포인트 (01·02·07 레슨).

두 라우터로 나눈다.
- `router`(늘 켜짐): `/work/io`, `/slow`. 루프를 양보하며 기다리기만 하고 30초를 넘지 않는다. 느린 I/O 요청의
  대역이라 프로덕션 스택에서도 그레이스풀 셧다운을 재 볼 수 있다 (07 레슨).
- `lab_router`(실습 전용, `LAB_ENDPOINTS=true`일 때만): `/work/cpu`, `/work/block`, `/hang`. 워커나 연결을
  일부러 붙잡는다: 프로덕션에 열어 두면 요청 몇 개로 서비스를 멈출 수 있다.

- `/work/io`: 이벤트 루프를 양보하며 기다린다. 워커 하나가 동시에 많이 처리한다.
- `/work/cpu`: 순수 파이썬 계산으로 이벤트 루프를 붙잡는다. 그동안 같은 워커의 다른 요청은 멈춘다.
  CPU 작업에 프로세스(워커)가 필요한 까닭을 보여 준다.
- `/work/block`: `time.sleep`으로 루프를 막는다. gunicorn의 `--timeout`(워커 하트비트)이 워커를 죽이는 것을 본다.
- `/slow`: 오래 걸리지만 루프는 막지 않는다. 그레이스풀 셧다운이 처리 중인 요청을 끝내 주는지 본다.
- `/hang`: 사실상 답하지 않는다. 프록시·클라이언트 타임아웃(nginx `proxy_read_timeout` 등)을 본다.
  루프를 막지 않으므로 gunicorn `--timeout`으로는 죽지 않는다.
"""

from __future__ import annotations

import asyncio
import os
import time

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from sample_app.logs import get_logger
from sample_app.workload import burn_cpu, clamp

router = APIRouter(tags=["work"])
lab_router = APIRouter(tags=["work (실습 전용)"])
log = get_logger("work")

class Work(BaseModel):
    pid: int
    duration: float


class CpuWork(Work):
    iterations: int
    elapsed: float


class SlowWork(Work):
    status: Literal["done"] = "done"


class Hang(BaseModel):
    pid: int
    status: Literal["done"] = "done"


MAX_BLOCK_SECONDS = 120.0
"""`/work/block`은 gunicorn 타임아웃(기본 30초)을 넘겨야 하므로 더 길게 허용한다."""


@router.get("/work/io", summary="I/O 대기 흉내: asyncio.sleep(duration) (0~30초)")
async def work_io(duration: float = Query(0.1, description="기다릴 초")) -> Work:
    duration = clamp(duration)
    await asyncio.sleep(duration)
    return Work(pid=os.getpid(), duration=duration)


@lab_router.get("/work/cpu", summary="CPU 작업 흉내: 이벤트 루프를 duration초 붙잡는다 (0~30초)")
async def work_cpu(duration: float = Query(0.05, description="계산할 초")) -> CpuWork:
    # 일부러 async def 안에서 계산한다: 스레드 풀로 넘기지 않으므로 이 워커의 루프가 멈춘다
    duration = clamp(duration)
    started = time.perf_counter()
    iterations = burn_cpu(duration)
    return CpuWork(pid=os.getpid(), duration=duration, iterations=iterations,
                   elapsed=round(time.perf_counter() - started, 4))


@lab_router.get("/work/block", summary="이벤트 루프 막기: time.sleep(duration) (0~120초, 워커 타임아웃 실습)")
async def work_block(duration: float = Query(1.0, description="루프를 막을 초")) -> Work:
    duration = clamp(duration, MAX_BLOCK_SECONDS)
    log.warning("[work/block] 이벤트 루프를 %.1f초 막는다 (pid %d)", duration, os.getpid())
    time.sleep(duration)  # 일부러 막는다: 워커가 하트비트를 못 보내 gunicorn이 죽이는 장면을 만든다
    return Work(pid=os.getpid(), duration=duration)


@router.get("/slow", summary="느린 요청: duration초 뒤 응답 (그레이스풀 셧다운 실습, 0~30초)")
async def slow(duration: float = Query(5.0, description="응답까지 걸릴 초")) -> SlowWork:
    duration = clamp(duration)
    log.info("[slow] 시작: %.1f초 걸리는 요청 (pid %d)", duration, os.getpid())
    await asyncio.sleep(duration)
    log.info("[slow] 완료: %.1f초 요청에 응답 (pid %d)", duration, os.getpid())
    return SlowWork(pid=os.getpid(), duration=duration)


@lab_router.get("/hang", summary="응답하지 않는 요청: 한 시간 기다린다 (프록시 타임아웃 실습)")
async def hang() -> Hang:
    log.info("[hang] 시작: 응답하지 않고 기다린다 (pid %d)", os.getpid())
    await asyncio.sleep(3600)
    return Hang(pid=os.getpid())
