"""06 레슨: Redis에 `maxmemory`보다 많이 써서 축출(eviction)을 일으킨다. 앱 컨테이너 안에서 돈다.

    docker compose -p course-06 -f compose/compose.yaml exec -T app python - < labs/redis_fill.py

앱 컨테이너의 `REDIS_URL`과 redis-py를 그대로 쓴다. 한도의 두 배만큼 64 KiB짜리 값을 `fill:N` 키로 쓰고,
남은 키 수와 Redis의 통계를 찍은 뒤 자기가 쓴 키를 지운다 (축출 통계 `evicted_keys`는 남는다).
"""

import os

import redis

VALUE = b"x" * (64 * 1024)
MiB = 1024 * 1024

r = redis.Redis.from_url(os.environ["REDIS_URL"])
limit = int(r.config_get("maxmemory")["maxmemory"])
policy = r.config_get("maxmemory-policy")["maxmemory-policy"]
if limit == 0:
    print("⚠️ maxmemory가 0(한도 없음)이다: 16 MiB만 쓰고 끝낸다. 축출은 일어나지 않는다.")
count = (2 * limit if limit else 16 * MiB) // len(VALUE)
failed = 0
pipe = r.pipeline(transaction=False)
for i in range(count):
    pipe.set(f"fill:{i}", VALUE)
    if i % 32 == 31 or i == count - 1:
        failed += sum(isinstance(x, Exception) for x in pipe.execute(raise_on_error=False))
left = sum(1 for _ in r.scan_iter("fill:*", count=1000))
stats, memory = r.info("stats"), r.info("memory")
print(f"maxmemory {limit / MiB:.0f} MiB ({policy})에 64 KiB 값 {count}개 = {count * len(VALUE) / MiB:.0f} MiB를 썼다")
print(f"쓰기 오류 {failed}건, 남은 fill 키 {left}개, used_memory {memory['used_memory'] / MiB:.1f} MiB, "
      f"evicted_keys {stats['evicted_keys']}")
for batch_start in range(0, count, 500):
    r.delete(*[f"fill:{i}" for i in range(batch_start, min(count, batch_start + 500))])
