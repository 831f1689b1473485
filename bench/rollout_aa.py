"""A/A false rollbacks of the rollout judge (driven by bench/rollout.sh).

Usage: rollout_aa.py PROXY_ADDR RIGOR N_ANALYSES WINDOW. Sends requests through rigor's
proxy to one build, cuts the latencies into consecutive windows of WINDOW requests, and asks
`rigor rollout judge` about each pair of neighbouring windows (baseline = earlier, canary =
later): every "fail" is a false rollback.
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

addr, rigor, n, window = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
host, port = addr.rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
lat, errors = [], []
for _ in range((n + 1) * window):
    t = time.perf_counter()
    conn.request("GET", "/")
    r = conn.getresponse()
    r.read()
    lat.append((time.perf_counter() - t) * 1000)
    errors.append(r.status >= 500)
fails = 0
tmp = tempfile.mkdtemp()
for i in range(n):
    files = []
    for j, name in ((i, "b"), (i + 1, "c")):
        w = slice(j * window, (j + 1) * window)
        path = os.path.join(tmp, name + ".json")
        errs = sum(errors[w])
        with open(path, "w") as f:
            json.dump({"latencies_ms": [x for x, e in zip(lat[w], errors[w]) if not e], "errors": errs, "requests": window}, f)
        files.append(path)
    out = subprocess.run([rigor, "rollout", "judge", "--baseline", files[0], "--canary", files[1]], capture_output=True, text=True, cwd=tmp)
    if json.loads(out.stdout)["outcome"] == "fail":
        fails += 1
print("A/A analyses: %d, false rollbacks: %d (%.1f %%), requests: %d, p50 %.3f ms" % (n, fails, fails * 100.0 / n, len(lat), sorted(lat)[len(lat) // 2]))
