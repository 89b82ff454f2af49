"""부하 생성기 자신의 한계와 예제 앱의 처리량(uvicorn 워커 1개 대 2개)을 한 번에 잰다.

    .venv/bin/python benchmarks/bench_load.py

생성기 한계는 nginx의 `return 204`처럼 서버 쪽 비용이 거의 없는 대상에 최대한 빠르게 보내서 잰다:
이때 병목은 생성기다. 레슨의 측정은 이 값보다 충분히 낮은 곳에서 해야 서버를 잰 것이 된다.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import labs

LAB = "bench-load"
DURATION = float(os.environ.get("BENCH_SECONDS", "4"))


def nginx_target(tmp: Path) -> labs.Server | None:
    if shutil.which("nginx") is None:
        return None
    port = labs.free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
    uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
    server {{ listen 127.0.0.1:{port}; location / {{ return 204; }} }}
}}
""")
    return labs.start_process("nginx", ["nginx", "-c", str(conf), "-p", str(tmp)], LAB, port=port, ready_path="/")


def row(name: str, r: labs.LoadResult) -> str:
    return (f"{name:<34} {r.throughput:9.0f} req/s   p50 {r.percentile(50) * 1000:6.2f} ms   "
            f"p99 {r.percentile(99) * 1000:6.2f} ms   실패 {r.failed}")


def main() -> None:
    print(f"CPU {os.cpu_count()}개, 측정마다 {DURATION:.0f}초\n")
    print("== 부하 생성기의 한계 (nginx return 204, 서버 비용 ≈ 0) ==")
    with tempfile.TemporaryDirectory() as d:
        srv = nginx_target(Path(d))
        if srv is None:
            print("nginx가 없어 생략한다")
        else:
            with srv:
                for c in (1, 8, 32, 64):
                    print(row(f"동시 연결 {c}", labs.load(srv.url + "/", concurrency=c, duration=DURATION)))
    print("\n== 예제 앱: uvicorn 워커 1개 대 2개 ==")
    labs.migrate(LAB)
    cases = [("/health", 32), ("/work/io?duration=0.05", 200), ("/work/cpu?duration=0.005", 16), ("/notes", 16)]
    results: dict[tuple[str, int], labs.LoadResult] = {}
    for workers in (1, 2):
        with labs.start_uvicorn(LAB, workers=workers, args=["--no-access-log"]) as srv:
            for path, c in cases:
                results[(path, workers)] = r = labs.load(srv.url + path, concurrency=c, duration=DURATION)
                print(row(f"워커 {workers}개  {path} (동시 {c})", r))
    print("\n== 워커 2개 / 1개 처리량 비 ==")
    for path, _ in cases:
        ratio = results[(path, 2)].throughput / max(results[(path, 1)].throughput, 1e-9)
        print(f"{path:<28} {ratio:5.2f}배")
    labs.cleanup(LAB, quiet=True)


if __name__ == "__main__":
    main()
