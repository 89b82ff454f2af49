"""부하 생성기: 동시 연결 수, 시간 또는 요청 수, 목표 초당 요청 수로 서버를 두드린다 (00·01 레슨).

일반 HTTP 클라이언트(httpx 등)는 요청 하나에 드는 CPU가 커서, 2코어 기계에서는 서버보다
부하 생성기가 먼저 한계에 닿는다. 그래서 asyncio 위에 keep-alive HTTP/1.1만 아는 작은
클라이언트를 쓴다. 생성기 자신의 한계는 `benchmarks/bench_load.py`가 잰다.

부하는 별도 스레드의 이벤트 루프에서 돈다: Jupyter 커널의 루프와 부딪히지 않고,
`start_load()`로 부하를 건 채 다른 셀 작업(재시작, 배포)을 할 수 있다.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from statistics import quantiles
from urllib.parse import urlsplit

from .errors import LabError


@dataclass
class Sample:
    start: float          # 부하 시작부터 요청을 보낸 시각(초)
    latency: float        # 응답(또는 오류)까지 걸린 시간(초)
    status: int | None    # HTTP 상태 코드, 오류면 None
    error: str | None = None
    body: bytes = b""
    retried: bool = False  # 서버가 닫은 keep-alive 연결 때문에 새 연결로 한 번 더 보냈다


@dataclass
class LoadResult:
    """부하 실행 결과. 상태 코드별 건수, 오류, 지연 시간 백분위, 처리량을 담는다."""

    url: str
    concurrency: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.samples)

    @property
    def status_counts(self) -> dict[int, int]:
        return dict(sorted(Counter(s.status for s in self.samples if s.status is not None).items()))

    @property
    def errors(self) -> dict[str, int]:
        return dict(Counter(s.error for s in self.samples if s.error))

    @property
    def failed(self) -> int:
        """실패 = 연결·시간 초과 오류 + 5xx 응답. (4xx는 서버가 의도해 거절한 것이라 따로 센다.)"""
        return sum(1 for s in self.samples if s.error or (s.status or 0) >= 500)

    @property
    def retried(self) -> int:
        """부하 생성기가 새 연결로 한 번 더 보내 성공시킨 요청 수 (멱등 요청만: 브라우저·HTTP 클라이언트처럼).

        실패로 세지는 않지만 숨기지도 않는다: 재시도하지 않는 클라이언트(POST, 재시도 없는 SDK)에게는 이만큼이
        실패로 보였을 것이다.
        """
        return sum(1 for s in self.samples if s.retried)

    @property
    def throughput(self) -> float:
        """초당 처리한 요청 수 (성공·실패 모두)."""
        return self.total / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float:
        """성공한 응답의 지연 시간 백분위(초). 예: `percentile(99)`."""
        lat = sorted(s.latency for s in self.samples if s.status is not None)
        if not lat:
            return float("nan")
        if len(lat) == 1:
            return lat[0]
        cuts = quantiles(lat, n=100, method="inclusive")
        return cuts[min(max(int(round(p)) - 1, 0), 98)]

    def summary(self) -> dict[str, object]:
        """표로 보여 주기 좋은 한국어 요약."""
        return {
            "요청 수": self.total,
            "실패": self.failed,
            "재시도": self.retried,
            "처리량(req/s)": round(self.throughput, 1),
            "p50(ms)": round(self.percentile(50) * 1000, 1),
            "p90(ms)": round(self.percentile(90) * 1000, 1),
            "p99(ms)": round(self.percentile(99) * 1000, 1),
            "상태 코드": self.status_counts,
            "오류": self.errors,
        }

    def verdict(self) -> str:
        """nbval이 비교하는 안정된 판정 한 줄. 재시도 건수도 늘 보인다 (건수는 실행마다 달라 nbval이 지운다)."""
        mark = "✅" if self.failed == 0 else "❌"
        return f"{mark} 요청 {self.total}건 중 실패 {self.failed}건, 재시도 {self.retried}건"

    def __repr__(self) -> str:
        s = self.summary()
        return (f"<LoadResult {s['요청 수']}건, 실패 {s['실패']}, {s['처리량(req/s)']} req/s, "
                f"p50 {s['p50(ms)']} ms, p99 {s['p99(ms)']} ms>")


# ---- 작은 HTTP/1.1 클라이언트 -----------------------------------------------

_IDEMPOTENT = (b"GET ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ")


class _Conn:
    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None, hostname: str) -> None:
        self.host, self.port, self.tls, self.hostname = host, port, tls, hostname
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, ssl=self.tls, server_hostname=self.hostname if self.tls else None)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes, head: bool) -> tuple[int, bytes, bool, bool]:
        """요청을 보내고 (상태 코드, 본문, 연결을 계속 쓸 수 있는지, 다시 보냈는지)를 돌려준다.

        재사용하던 연결을 서버가 이미 닫았으면(유휴 시간 초과, 그레이스풀 셧다운) 응답 바이트를
        하나도 받기 전이므로 브라우저처럼 새 연결로 한 번 다시 보낸다. 단, 다시 보내도 안전한
        멱등 요청(GET, HEAD 등)만이다: POST를 두 번 보내면 카운터가 두 번 오른다.
        """
        if self.writer is None:
            await self.open()
            return (*await self._exchange(raw, head), False)
        try:
            return (*await self._exchange(raw, head), False)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                raise
            if not raw.startswith(_IDEMPOTENT):
                raise
            self.close()
            await self.open()
            return (*await self._exchange(raw, head), True)

    async def _exchange(self, raw: bytes, head: bool) -> tuple[int, bytes, bool]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        await self.writer.drain()
        header = await self.reader.readuntil(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip().lower()
        keep = headers.get("connection") != "close" and not lines[0].startswith("HTTP/1.0")
        if head or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            keep = False
        return status, body, keep


def _error_name(exc: BaseException) -> str:
    names = {
        ConnectionRefusedError: "연결 거부",
        ConnectionResetError: "연결 끊김",
        asyncio.TimeoutError: "시간 초과",
        asyncio.IncompleteReadError: "응답 도중 끊김",
        BrokenPipeError: "연결 끊김",
    }
    for kind, name in names.items():
        if isinstance(exc, kind):
            return name
    return type(exc).__name__


async def _run(url: str, concurrency: int, duration: float | None, requests: int | None,
               rate: float | None, method: str, body: bytes, headers: dict[str, str],
               timeout: float, tls: ssl.SSLContext | None, keep_body: bool,
               stop: threading.Event, samples: list[Sample]) -> float:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https" and tls is None:
        tls = ssl.create_default_context()
    if tls is not None:
        # 이 생성기는 HTTP/1.1만 보낸다. 받은 문맥에 다른 클라이언트(httpx http2=True)가 h2를 적어 두었으면
        # 서버가 HTTP/2를 고르고 모든 요청이 '응답 도중 끊김'이 된다: ALPN을 http/1.1로 고정한다.
        tls.set_alpn_protocols(["http/1.1"])
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    head_lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "User-Agent: labs-load/1"]
    head_lines += [f"{k}: {v}" for k, v in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        head_lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(head_lines) + "\r\n\r\n").encode() + body
    is_head = method == "HEAD"

    t0 = time.perf_counter()
    end = t0 + duration if duration else None
    issued = 0

    def take_ticket() -> int | None:
        nonlocal issued
        if stop.is_set() or (requests is not None and issued >= requests):
            return None
        if end is not None and time.perf_counter() >= end:
            return None
        issued += 1
        return issued - 1

    async def worker() -> None:
        conn = _Conn(host, port, tls, host)
        while (ticket := take_ticket()) is not None:
            if rate:
                due = t0 + ticket / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                if end is not None and time.perf_counter() >= end:
                    break
            sent = time.perf_counter()
            try:
                status, data, keep, retried = await asyncio.wait_for(conn.request(raw, is_head), timeout)
                samples.append(Sample(sent - t0, time.perf_counter() - sent, status, None,
                                      data if keep_body else b"", retried))
                if not keep:
                    conn.close()
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError,
                    asyncio.LimitOverrunError, ssl.SSLError) as exc:
                samples.append(Sample(sent - t0, time.perf_counter() - sent, None, _error_name(exc)))
                conn.close()
                # 서버가 내려가 있을 때 헛돌며 오류를 수만 건 쌓지 않도록 잠깐 쉰다.
                await asyncio.sleep(0.01)
        conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0


class LoadRun:
    """배경에서 도는 부하. `result()`로 끝나기를 기다려 `LoadResult`를 받는다."""

    def __init__(self, url: str, concurrency: int, duration: float | None, requests: int | None,
                 rate: float | None, method: str, body: bytes, headers: dict[str, str],
                 timeout: float, tls: ssl.SSLContext | None, keep_body: bool) -> None:
        if duration is None and requests is None:
            raise LabError("❌ 부하 조건이 없다: `duration=초` 또는 `requests=건수` 중 하나를 준다.")
        if concurrency < 1:
            raise LabError("❌ 동시 연결 수(concurrency)는 1 이상이어야 한다.")
        self.url, self.concurrency = url, concurrency
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._elapsed = 0.0
        self._error: BaseException | None = None
        self._limit = (duration or 0) + (requests or 0) * timeout + timeout + 5  # 어떤 경우에도 끝나는 상한
        args = (url, concurrency, duration, requests, rate, method, body, headers, timeout, tls,
                keep_body, self._stop, self.samples)
        self._thread = threading.Thread(target=self._main, args=args, daemon=True)
        self._started = time.monotonic()
        self._thread.start()

    def _main(self, *args) -> None:
        try:
            self._elapsed = asyncio.run(_run(*args))
        except BaseException as exc:  # noqa: BLE001  스레드 밖으로 전달해 result()에서 다시 던진다.
            self._error = exc

    def done(self) -> bool:
        return not self._thread.is_alive()

    def stop(self) -> None:
        """남은 요청을 보내지 않고 멈춘다 (진행 중인 요청은 끝까지 기다린다)."""
        self._stop.set()

    def result(self, progress: bool = False, every: float = 2.0) -> LoadResult:
        """부하가 끝날 때까지 기다린다. `progress=True`면 `every`초마다 진행 상황을 한 줄 출력한다."""
        deadline = self._started + self._limit
        while self._thread.is_alive():
            self._thread.join(timeout=every)
            if progress and self._thread.is_alive():
                n = len(self.samples)
                bad = sum(1 for s in self.samples if s.error or (s.status or 0) >= 500)
                print(f"  … {time.monotonic() - self._started:4.1f}초: 응답 {n}건, 실패 {bad}건", flush=True)
            if time.monotonic() > deadline:
                self._stop.set()
                self._thread.join(timeout=30)
                break
        if self._error is not None:
            raise LabError(f"❌ 부하 생성기 오류: {self._error!r}") from self._error
        return LoadResult(self.url, self.concurrency, self._elapsed or (time.monotonic() - self._started),
                          sorted(self.samples, key=lambda s: s.start))


def start_load(url: str, *, concurrency: int = 10, duration: float | None = None,
               requests: int | None = None, rate: float | None = None, method: str = "GET",
               body: bytes = b"", headers: dict[str, str] | None = None, timeout: float = 10.0,
               tls: ssl.SSLContext | None = None, keep_body: bool = False) -> LoadRun:
    """부하를 배경에서 시작하고 곧바로 돌아온다 (재시작·배포 중 실패 건수를 셀 때)."""
    return LoadRun(url, concurrency, duration, requests, rate, method.upper(), body,
                   headers or {}, timeout, tls, keep_body)


def load(url: str, *, concurrency: int = 10, duration: float | None = None, requests: int | None = None,
         rate: float | None = None, method: str = "GET", body: bytes = b"",
         headers: dict[str, str] | None = None, timeout: float = 10.0, tls: ssl.SSLContext | None = None,
         keep_body: bool = False, progress: bool = False) -> LoadResult:
    """부하를 걸고 끝날 때까지 기다려 결과를 돌려준다.

    - `concurrency`: 동시에 열어 두는 연결(가상 사용자) 수
    - `duration`(초) 또는 `requests`(건수): 언제 멈출지
    - `rate`: 목표 초당 요청 수 (없으면 최대한 빠르게)
    """
    run = start_load(url, concurrency=concurrency, duration=duration, requests=requests, rate=rate,
                     method=method, body=body, headers=headers, timeout=timeout, tls=tls, keep_body=keep_body)
    return run.result(progress=progress)


# ---- 측정 전 점검: 기계가 너무 바쁘면 재지 않는다 (02 레슨에서 소개) ---------------------------

@dataclass
class Quiet:
    """측정 전 점검 결과: 코어 수, 1분 부하 평균, 이 실습 밖의 프로세스가 쓴 CPU(코어 단위, 재지 않았으면 None)."""

    cores: int
    load1: float
    others: float | None
    waited: float

    def line(self) -> str:
        detail = f"코어 {self.cores}개, 1분 부하 평균 {self.load1:.1f}"
        if self.others is not None:
            detail += f", 이 실습 밖의 CPU 사용 {self.others:.1f}코어"
        if self.waited >= 1:
            detail += f", {self.waited:.0f}초 기다림"
        return f"✅ 측정 전 점검 통과 ({detail})"


def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # sched_getaffinity가 없는 플랫폼
        return os.cpu_count() or 1


def _own_cpu() -> float:
    """이 커널과 그 자손(실습 서버, 부하 생성기 스레드 포함)이 지금까지 쓴 CPU 시간(초)."""
    from .procs import tree_cpu_seconds

    return tree_cpu_seconds()


def others_cpu(window: float = 1.0) -> float:
    """`window`초 동안 이 커널의 프로세스 트리 **밖**의 프로세스가 쓴 CPU (코어 단위, 예: 1.5 = 코어 한 개 반)."""
    import psutil

    def busy() -> float:
        t = psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)

    b0, o0, t0 = busy(), _own_cpu(), time.monotonic()
    time.sleep(window)
    b1, o1, t1 = busy(), _own_cpu(), time.monotonic()
    return max(0.0, ((b1 - b0) - max(0.0, o1 - o0)) / (t1 - t0))


def ensure_quiet(max_wait: float = 20.0, *, free_cores: float = 0.75, show: bool = True) -> Quiet:
    """처리량을 재기 전에 기계가 조용한지 본다. 너무 바쁘면 재지 않고 한국어 `LabError`로 멈춘다.

    - 1분 부하 평균이 코어 수보다 낮으면 바로 통과한다.
    - 높으면 부하 평균만으로 판단하지 않는다: 부하 평균은 1분에 걸친 평균이라 **이 노트북의 앞 셀**(부하 테스트,
      빌드)이 올린 값이 한동안 남는다. 그래서 1초씩 이 커널의 프로세스 트리 밖에서 쓴 CPU를 재어, 측정에 쓸 코어가
      `free_cores`개 이상 비는 순간을 `max_wait`초까지 기다린다. 끝내 비지 않으면 멈춘다.
    통과하면 `✅ 측정 전 점검 통과 (…)` 한 줄을 출력한다 (괄호 안의 숫자는 실행마다 달라 nbval이 지운다).
    """
    import os

    cores = _cores()
    started = time.monotonic()
    load1 = os.getloadavg()[0]
    if load1 < cores:
        result = Quiet(cores, load1, None, 0.0)
    else:
        others = others_cpu()
        announced = False
        while cores - others < free_cores:
            waited = time.monotonic() - started
            if waited >= max_wait:
                raise LabError(
                    f"❌ 이 기계가 너무 바빠 측정하지 않는다: 1분 부하 평균 {os.getloadavg()[0]:.1f} (코어 {cores}개), "
                    f"{waited:.0f}초 동안 이 실습 밖의 프로세스가 CPU를 {others:.1f}코어만큼 썼다.\n"
                    f"   지금 재면 다른 프로그램과 CPU를 나눠 쓴 숫자가 나와 워커 설정의 효과를 볼 수 없다.\n"
                    f"   해결: 다른 노트북의 커널을 끄고(`make clean-labs`로 남은 실습도 치운다), 빌드·테스트 같은 무거운 "
                    f"작업이 끝나기를 기다린 뒤 이 셀을 다시 실행한다. `top`으로 CPU를 쓰는 프로세스를 본다.")
            if show and not announced:
                print(f"⏳ 측정 전 점검: 다른 프로세스가 CPU를 쓰고 있어 최대 {max_wait:.0f}초 기다린다…", flush=True)
                announced = True
            others = others_cpu()
        result = Quiet(cores, load1, others, time.monotonic() - started)
    if show:
        print(result.line(), flush=True)
    return result
