#!/usr/bin/env bash
# Concurrent writers into one history: 8 `rigor merge` processes (the shipped release binary),
# each recording one run of 2,000 results at the same moment, into PostgreSQL and into SQLite,
# side by side. Reports results per second, the ratio, and that nothing was lost.
#
#   bench/store.sh [WRITERS] [RESULTS]      (defaults 8 and 2000)
#
# The results come from one real `rigor run` of a generated pytest project with RESULTS trivial
# tests (pytest from RIGOR_TEST_PYTHON, else python3 -m pytest); the PostgreSQL server is a
# throwaway cluster (Debian's postgresql, run as the postgres user when root) on a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
WRITERS="${1:-8}"
RESULTS="${2:-2000}"
RIGOR="${RIGOR:-${CARGO_TARGET_DIR:-target}/release/rigor}"
PY="${RIGOR_TEST_PYTHON:-python3}"
[ -x "$RIGOR" ] || { echo "build rigor first: cargo build --release -p rigor-cli (or set RIGOR=)" >&2; exit 2; }
BIN="$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")"
[ -x "$BIN/pg_ctl" ] || { echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 2; }

WORK="$(mktemp -d /tmp/rigor-bench-store.XXXXXX)"
chmod 755 "$WORK"
AS=()
[ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
PORT=$(( 20000 + RANDOM % 20000 ))
cleanup() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

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

echo "== PostgreSQL cluster on 127.0.0.1:$PORT"
mkdir -p "$WORK/pg"
[ ${#AS[@]} -gt 0 ] && chown -R postgres:postgres "$WORK/pg"
"${AS[@]}" "$BIN/initdb" -A trust -U rigor -E UTF8 -D "$WORK/pg/data" >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
  -o "-p $PORT -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
psql -q -h 127.0.0.1 -p "$PORT" -U rigor -d postgres -c "CREATE DATABASE bench"
PGVERSION="$("$BIN/postgres" --version)"

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
