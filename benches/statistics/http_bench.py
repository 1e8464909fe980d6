"""Sequential requests to the statistics API over one keep-alive connection: the median
and p99 of the round trip (the server's whole path: authentication, engine, JSON).

    python3 http_bench.py HOST PORT TOKEN PATH RUNS
"""

import http.client
import statistics
import sys
import time

host, port, token, path, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
name = sys.argv[6] if len(sys.argv) > 6 else "http"
conn = http.client.HTTPConnection(host, port)
headers = {"Authorization": f"Bearer {token}"}


def get():
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}: {body[:300]!r}")
    return body


for _ in range(5):
    get()
times = []
for _ in range(runs):
    t = time.perf_counter()
    get()
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(f"{name}_median_ms {statistics.median(times):.3f}")
print(f"{name}_p99_ms {times[min(len(times) - 1, len(times) * 99 // 100)]:.3f}")
