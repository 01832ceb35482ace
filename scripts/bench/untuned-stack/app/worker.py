# The shop's worker: takes orders from Redis. It installs no SIGTERM handler, and as its
# container's PID 1 the kernel drops a SIGTERM it does not handle.
import os

import redis

VERSION = "v0"
queue = redis.Redis.from_url(os.environ["REDIS_URL"])
print(f"worker {VERSION} ready", flush=True)
while True:
    item = queue.blpop("orders", timeout=1)
    if item:
        print(f"worker {VERSION}: order {item[1].decode()}", flush=True)
