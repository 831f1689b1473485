"""A/A false rollbacks of the rollout judge (driven by bench/rollout.sh).

Usage: rollout_aa.py PROXY_ADDR RIGOR N_ANALYSES WINDOW. Sends requests through rigor's
proxy to one build and asks `rigor rollout judge` about N pairs of samples of WINDOW requests:
- side by side: the requests of one period split at random in two (what a step below 100 %
  compares);
- one after the other: a period against the next (what an all-at-once switch compares, blue's
  baseline against green's bake).
Every "fail" is a false rollback.
"""
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time

addr, rigor, n, window = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
host, port = addr.rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
obs = []
for _ in range(2 * n * window):
    t = time.perf_counter()
    conn.request("GET", "/")
    r = conn.getresponse()
    r.read()
    obs.append(((time.perf_counter() - t) * 1000, r.status >= 500))
tmp = tempfile.mkdtemp()
rng = random.Random(20261127)


def sample(part, name):
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump({"latencies_ms": [x for x, e in part if not e], "errors": sum(e for _, e in part), "requests": len(part)}, f)
    return path


def fails(a, b):
    out = subprocess.run([rigor, "rollout", "judge", "--baseline", sample(a, "b"), "--canary", sample(b, "c")], capture_output=True, text=True, cwd=tmp)
    return json.loads(out.stdout)["outcome"] == "fail"


side, seq = 0, 0
for i in range(n):
    period = obs[2 * i * window:2 * (i + 1) * window]
    shuffled = period[:]
    rng.shuffle(shuffled)
    side += fails(shuffled[:window], shuffled[window:])
    seq += fails(period[:window], period[window:])
lat = sorted(x for x, _ in obs)
print("A/A over %d analyses of %d vs %d requests (%d requests, p50 %.3f ms): false rollbacks side by side %d (%.1f %%), one after the other %d (%.1f %%)"
      % (n, window, window, len(obs), lat[len(lat) // 2], side, side * 100.0 / n, seq, seq * 100.0 / n))
