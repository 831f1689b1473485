#!/usr/bin/env bash
# Concurrent writers into one history: 8 `rigor merge` processes (the shipped release binary),
# each recording one run of 2,000 results at the same moment, into PostgreSQL and into SQLite,
# side by side. Reports results per second, the ratio, and that nothing was lost.
#
#   bench/store.sh [WRITERS] [RESULTS] [PLAN_TESTS] [PLAN_RUNS]   (defaults 8 2000 10000 100)
#
# Then planning time: a generated suite of PLAN_TESTS tests and a history of PLAN_TESTS x
# PLAN_RUNS results (1,000,000 by default), generated with SQL straight into both stores after
# rigor created their schemas; `rigor plan --all --shards 4 --format json` timed (median of 3)
# against PostgreSQL, against SQLite, and with an empty history (the discovery baseline).
#
# The results come from one real `rigor run` of a generated pytest project with RESULTS trivial
# tests (pytest from RIGOR_TEST_PYTHON, else python3 -m pytest); the PostgreSQL server is a
# throwaway cluster (Debian's postgresql, run as the postgres user when root) on a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
WRITERS="${1:-8}"
RESULTS="${2:-2000}"
PLAN_TESTS="${3:-10000}"
PLAN_RUNS="${4:-100}"
RIGOR="${RIGOR:-${CARGO_TARGET_DIR:-target}/release/rigor}"
PY="${RIGOR_TEST_PYTHON:-python3}"
source "$(dirname "$0")/pg_cluster.sh"
pg_cluster_setup store

echo "== a run of $RESULTS results to record"
mkdir -p "$WORK/proj/tests"
cat > "$WORK/proj/tests/test_many.py" <<PY
import pytest


@pytest.mark.parametrize("i", range($RESULTS))
def test_many(i):
    pass
PY
( cd "$WORK/proj" && RIGOR_PYTHON_INTERPRETER="$PY" RIGOR_STORE_URL="sqlite://$WORK/source.db" \
    "$RIGOR" run -j 2 --format json > "$WORK/run.json" 2>/dev/null ) || true
python3 - "$WORK/run.json" "$RESULTS" <<'PY'
import json, sys
n = len(json.load(open(sys.argv[1]))["tests"])
assert n == int(sys.argv[2]), f"the run recorded {n} results, not {sys.argv[2]}"
PY

pg_cluster_start
psql -q -h 127.0.0.1 -p "$PORT" -U rigor -d postgres -c "CREATE DATABASE bench"

# WRITERS concurrent merges into URL; prints "seconds results_recorded runs".
writers() {
  local url="$1"
  # Create the schema first (as the first job of a CI pipeline would).
  ( cd "$WORK/proj" && RIGOR_STORE_URL="$url" "$RIGOR" store check --format json >/dev/null )
  local start end
  start=$(date +%s.%N)
  for i in $(seq "$WRITERS"); do
    ( cd "$WORK/proj" && RIGOR_STORE_URL="$url" "$RIGOR" merge "$WORK/run.json" >/dev/null 2>"$WORK/err.$i" ) &
  done
  local failed=0
  for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
  end=$(date +%s.%N)
  [ "$failed" = 0 ] || { echo "$failed writers failed:" >&2; cat "$WORK"/err.* >&2; exit 1; }
  ( cd "$WORK/proj" && RIGOR_STORE_URL="$url" "$RIGOR" store check --format json ) \
    | python3 -c "import json,sys; c=json.load(sys.stdin); print($end - $start, c['results'], c['runs'])"
}

echo "== $WRITERS writers x $RESULTS results"
read -r PG_S PG_N PG_RUNS < <(writers "postgres://rigor@127.0.0.1:$PORT/bench")
read -r SQ_S SQ_N SQ_RUNS < <(writers "sqlite://$WORK/shared.db")
python3 - "$WRITERS" "$RESULTS" "$PG_S" "$PG_N" "$PG_RUNS" "$SQ_S" "$SQ_N" "$SQ_RUNS" "$PGVERSION" "$("$RIGOR" --version)" <<'PY'
import sys
w, n = int(sys.argv[1]), int(sys.argv[2])
pg_s, pg_n, pg_runs, sq_s, sq_n, sq_runs = map(float, sys.argv[3:9])
want = w * n
print(f"{sys.argv[10]}; {sys.argv[9]}; SQLite bundled with rusqlite (WAL)")
print(f"| store | writers x results | wall s | results/s | recorded | lost |")
print(f"|---|---|---|---|---|---|")
for name, s, got, runs in (("PostgreSQL", pg_s, pg_n, pg_runs), ("SQLite", sq_s, sq_n, sq_runs)):
    print(f"| {name} | {w} x {n} | {s:.2f} | {want / s:,.0f} | {int(got):,} in {int(runs)} runs | {want - int(got)} |")
print(f"PostgreSQL / SQLite throughput: {sq_s / pg_s:.2f}")
if pg_n != want or sq_n != want:
    sys.exit("results were lost")
PY

echo "== planning: $PLAN_TESTS tests, history of $((PLAN_TESTS * PLAN_RUNS)) results"
B="$WORK/big"
mkdir -p "$B/tests"
printf '[project]\nname = "big"\nversion = "0.1"\n' > "$B/pyproject.toml"
cat > "$B/tests/test_big.py" <<PY
import pytest


@pytest.mark.parametrize("i", range($PLAN_TESTS))
def test_big(i):
    pass
PY
git -C "$B" init -q -b main
git -C "$B" -c user.name=b -c user.email=b@example.invalid add -A
git -C "$B" -c user.name=b -c user.email=b@example.invalid commit -q -m big
psql -q -h 127.0.0.1 -p "$PORT" -U rigor -d postgres -c "CREATE DATABASE plan"
PLAN_PG="postgres://rigor@127.0.0.1:$PORT/plan"
PLAN_SQ="$WORK/plan.db"
( cd "$B" && RIGOR_STORE_URL="$PLAN_PG" "$RIGOR" store check >/dev/null )
( cd "$B" && RIGOR_STORE_URL="sqlite://$PLAN_SQ" "$RIGOR" store check >/dev/null )
# The same rows in both: PLAN_RUNS finished runs at older commits, every test in each, with a
# duration that varies per test and run.
GEN_START=$(date +%s.%N)
psql -q -h 127.0.0.1 -p "$PORT" -U rigor -d plan -v ON_ERROR_STOP=1 <<SQL
INSERT INTO runs (id, started_at, finished_at, status, commit_sha, branch, trigger)
  SELECT g, 1700000000 + g * 600, 1700000000 + g * 600 + 60, 'passed', 'old' || g, 'main', 'push'
  FROM generate_series(1, $PLAN_RUNS) g;
INSERT INTO tests (id, suite, name)
  SELECT g + 1, 'big', 'tests/test_big.py::test_big[' || g || ']' FROM generate_series(0, $PLAN_TESTS - 1) g;
INSERT INTO results (run_id, test_id, outcome, duration_s, attempts)
  SELECT r, t, 'passed', ((t * 7919 + r * 104729) % 1000) / 1000.0, 1
  FROM generate_series(1, $PLAN_RUNS) r, generate_series(1, $PLAN_TESTS) t;
SELECT setval(pg_get_serial_sequence('runs', 'id'), $PLAN_RUNS);
SELECT setval(pg_get_serial_sequence('tests', 'id'), $PLAN_TESTS);
ANALYZE;
SQL
GEN_PG=$(python3 -c "print(round($(date +%s.%N) - $GEN_START, 1))")
GEN_START=$(date +%s.%N)
sqlite3 "$PLAN_SQ" <<SQL
BEGIN;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $PLAN_RUNS)
INSERT INTO runs (id, started_at, finished_at, status, commit_sha, branch, trigger)
  SELECT n, 1700000000 + n * 600, 1700000000 + n * 600 + 60, 'passed', 'old' || n, 'main', 'push' FROM g;
WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < $PLAN_TESTS - 1)
INSERT INTO tests (id, suite, name) SELECT n + 1, 'big', 'tests/test_big.py::test_big[' || n || ']' FROM g;
INSERT INTO results (run_id, test_id, outcome, duration_s, attempts)
  SELECT r.id, t.id, 'passed', ((t.id * 7919 + r.id * 104729) % 1000) / 1000.0, 1
  FROM runs r, tests t ORDER BY r.id, t.id;
COMMIT;
ANALYZE;
SQL
GEN_SQ=$(python3 -c "print(round($(date +%s.%N) - $GEN_START, 1))")

# plan_time URL → median seconds of 3 `rigor plan` runs (checks the plan has every test)
plan_time() {
  local url="$1" i s e
  for i in 1 2 3; do
    s=$(date +%s.%N)
    ( cd "$B" && RIGOR_PYTHON_INTERPRETER="$PY" RIGOR_STORE_URL="$url" \
        "$RIGOR" plan --all --shards 4 --format json > "$WORK/plan.json" 2>/dev/null )
    e=$(date +%s.%N)
    python3 -c "import json,sys; p=json.load(open('$WORK/plan.json')); assert p['total'] == $PLAN_TESTS, p['total']"
    python3 -c "print($e - $s)"
  done | sort -g | sed -n 2p
}
PT_PG=$(plan_time "$PLAN_PG")
PT_SQ=$(plan_time "sqlite://$PLAN_SQ")
PT_EMPTY=$(plan_time "sqlite://$WORK/empty.db")
python3 - "$PLAN_TESTS" "$PLAN_RUNS" "$PT_PG" "$PT_SQ" "$PT_EMPTY" "$GEN_PG" "$GEN_SQ" <<'PY'
import sys
n, runs = int(sys.argv[1]), int(sys.argv[2])
pg, sq, empty, gen_pg, gen_sq = map(float, sys.argv[3:8])
print(f"rigor plan --all --shards 4, {n:,} tests, {n * runs:,} results in {runs} runs (median of 3)")
print("| history | plan wall s | over the empty-history baseline s |")
print("|---|---|---|")
print(f"| PostgreSQL | {pg:.2f} | {pg - empty:.2f} |")
print(f"| SQLite | {sq:.2f} | {sq - empty:.2f} |")
print(f"| empty (SQLite) | {empty:.2f} | 0 |")
print(f"PostgreSQL / SQLite plan time: {pg / sq:.2f}; history generated in {gen_pg} s (PostgreSQL), {gen_sq} s (SQLite)")
PY
