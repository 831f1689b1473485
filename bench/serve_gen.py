#!/usr/bin/env python3
"""Generate a big rigor history straight into SQLite for bench/serve.sh.

usage: serve_gen.py HISTORY_DB RUNS RESULTS_PER_RUN TESTS

The database must already carry rigor's schema (the script asks the rigor binary to create
it). Runs are spread over the past year on `main` (70 %) and 50 feature branches; each run
records a rotating block of RESULTS_PER_RUN of the TESTS tests; outcomes are 97 % passed,
1 % failed (with an excerpt), 1 % flaky, 1 % skipped; durations are log-normal per test.
Deterministic (fixed seed).
"""
import math
import random
import sqlite3
import sys
import time


def main():
    db, runs, per_run, tests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(20261127)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    if con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]:
        sys.exit(f"{db} already has runs")
    t0 = time.time()
    con.executemany(
        "INSERT INTO tests (id, suite, name, file, line) VALUES (?, 'python', ?, ?, ?)",
        (
            (i + 1, f"tests/test_mod{i // 20:03}.py::test_case_{i:05}", f"tests/test_mod{i // 20:03}.py", 10 + i % 20 * 7)
            for i in range(tests)
        ),
    )
    typical = [math.exp(rng.gauss(-3.0, 1.2)) for _ in range(tests)]
    now = time.time()
    start = now - 365 * 86400
    step = 365 * 86400 / runs
    branches = ["main"] * 7 + [None] * 3

    def run_rows():
        for r in range(runs):
            b = branches[r % 10] or f"feature/topic-{r % 50:02}"
            t = start + r * step
            yield (r + 1, t, t + 60 + (r % 17), "passed" if r % 9 else "failed", f"{r:040x}", b, "ci")

    con.executemany(
        "INSERT INTO runs (id, started_at, finished_at, status, commit_sha, branch, trigger) VALUES (?, ?, ?, ?, ?, ?, ?)",
        run_rows(),
    )

    def result_rows():
        for r in range(runs):
            first = (r * 37) % tests
            clock = 0.0
            for k in range(per_run):
                test = (first + k) % tests
                x = rng.random()
                if x < 0.97:
                    outcome, excerpt = "passed", None
                elif x < 0.98:
                    outcome, excerpt = "failed", f"E   assert {rng.randint(0, 9)} == {rng.randint(10, 99)}\ntests/test_x.py:12: AssertionError"
                elif x < 0.99:
                    outcome, excerpt = "flaky", "E   ConnectionResetError: [Errno 104]"
                else:
                    outcome, excerpt = "skipped", None
                d = typical[test] * math.exp(rng.gauss(0, 0.1))
                yield (r + 1, test + 1, outcome, d, 2 if outcome == "flaky" else 1, excerpt, clock, k % 4, "standard")
                clock += d

    con.executemany(
        "INSERT INTO results (run_id, test_id, outcome, duration_s, attempts, excerpt, start_s, worker, tier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        result_rows(),
    )
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    n = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    print(f"generated {runs} runs, {n} results, {tests} tests in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
