#!/usr/bin/env python3
"""Generate a big rigor history straight into SQLite for bench/serve.sh.

usage: serve_gen.py HISTORY_DB RUNS RESULTS_PER_RUN TESTS

The database must already carry rigor's schema (the script asks the rigor binary to create
it). Runs are spread over the past year on `main` (70 %) and 50 feature branches; each run
records a rotating block of RESULTS_PER_RUN of the TESTS tests; outcomes are 97 % passed,
1 % failed (with an excerpt), 1 % flaky, 1 % skipped (from a hash of run and position);
durations are log-normal per test with ±10 % noise. Deterministic. The results are generated
by SQLite itself (a recursive CTE), so 10 million take minutes, not an hour.
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

    # Results in SQLite itself (a recursive CTE: C speed, not a Python loop). Outcomes and
    # duration noise come from a deterministic hash of (run, position).
    con.execute("CREATE TEMP TABLE typical (test_id INTEGER PRIMARY KEY, d REAL)")
    con.executemany("INSERT INTO typical VALUES (?, ?)", ((i + 1, d) for i, d in enumerate(typical)))
    con.execute(
        """
        WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < ?1),
             k(y) AS (SELECT 0 UNION ALL SELECT y + 1 FROM k WHERE y < ?2 - 1),
             g AS (SELECT x, y, ((x * 37 + y) % ?3) + 1 AS t,
                          ((x * 2654435761 + y * 40503) % 1000003) % 10000 AS h
                   FROM r CROSS JOIN k)
        INSERT INTO results (run_id, test_id, outcome, duration_s, attempts, excerpt, start_s, worker, tier)
        SELECT g.x, g.t,
               CASE WHEN h < 9700 THEN 'passed' WHEN h < 9800 THEN 'failed' WHEN h < 9900 THEN 'flaky' ELSE 'skipped' END,
               typical.d * (0.9 + ((g.x * 7919 + g.y * 104729) % 200) / 1000.0),
               CASE WHEN h >= 9800 AND h < 9900 THEN 2 ELSE 1 END,
               CASE WHEN h >= 9700 AND h < 9800 THEN 'E   assert ' || (h % 10) || ' == ' || (h % 97) || char(10) || 'tests/test_x.py:12: AssertionError'
                    WHEN h >= 9800 AND h < 9900 THEN 'E   ConnectionResetError: [Errno 104]' END,
               g.y * 0.05, g.y % 4, 'standard'
        FROM g JOIN typical ON typical.test_id = g.t
        """,
        (runs, per_run, tests),
    )
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    n = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    print(f"generated {runs} runs, {n} results, {tests} tests in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
