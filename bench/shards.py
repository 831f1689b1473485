"""Compare shard balance of rigor (LPT), nextest (hash, slice) and pytest-split (least_duration)
on the same recorded durations. Prints largest shard / lower bound per N."""
import json
import os
import subprocess
import sys

rigor, py, proj, crate = sys.argv[1:5]


def rigor_plan(cwd, n):
    out = subprocess.run([rigor, "plan", "--shards", str(n), "--format", "json"], cwd=cwd,
                         capture_output=True, text=True, env=dict(os.environ, RIGOR_PYTHON_INTERPRETER=py))
    doc = json.loads(out.stdout)
    durations = {t["id"]: t["estimated_s"] for t in doc["tests"]}
    loads = [s["estimated_s"] for s in doc["shards"]]
    return durations, loads


def lower_bound(durations, n):
    d = list(durations.values())
    return max(max(d), sum(d) / n)


def ratio(loads, durations, n):
    return max(loads) / lower_bound(durations, n)


def pytest_split_loads(durations, n):
    path = os.path.join(proj, ".test_durations")
    with open(path, "w") as f:
        json.dump(durations, f)
    loads = []
    for k in range(1, n + 1):
        out = subprocess.run([py, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                              "--splits", str(n), "--group", str(k),
                              "--splitting-algorithm", "least_duration", "--durations-path", path],
                             cwd=proj, capture_output=True, text=True)
        ids = [l for l in out.stdout.splitlines() if "::" in l]
        loads.append(sum(durations.get(i, 0.0) for i in ids))
    return loads


def nextest_loads(durations, n, kind):
    loads = []
    for k in range(1, n + 1):
        out = subprocess.run(["cargo", "nextest", "list", "--message-format", "json",
                              "--partition", f"{kind}:{k}/{n}"], cwd=crate, capture_output=True, text=True)
        doc = json.loads(out.stdout)
        total = 0.0
        for suite in doc["rust-suites"].values():
            for name, case in suite["testcases"].items():
                if case["filter-match"]["status"] == "matches":
                    total += durations.get(f'{suite["binary-id"]} {name}', 0.0)
        loads.append(total)
    return loads


print("\n== Python: more-itertools 10.5.0 (largest shard / lower bound; 1.000 is perfect)")
print(f"{'N':>3} {'tests':>6} {'total_s':>8} {'rigor LPT':>10} {'pytest-split least_duration':>28}")
for n in (2, 4, 8):
    d, loads = rigor_plan(proj, n)
    ps = pytest_split_loads(d, n)
    print(f"{n:>3} {len(d):>6} {sum(d.values()):>8.3f} {ratio(loads, d, n):>10.3f} {ratio(ps, d, n):>28.3f}")

print("\n== Rust: regex-syntax 0.8.5")
print(f"{'N':>3} {'tests':>6} {'total_s':>8} {'rigor LPT':>10} {'nextest hash':>13} {'nextest slice':>14}")
for n in (2, 4, 8):
    d, loads = rigor_plan(crate, n)
    h = nextest_loads(d, n, "hash")
    s = nextest_loads(d, n, "slice")
    print(f"{n:>3} {len(d):>6} {sum(d.values()):>8.3f} {ratio(loads, d, n):>10.3f} {ratio(h, d, n):>13.3f} {ratio(s, d, n):>14.3f}")
