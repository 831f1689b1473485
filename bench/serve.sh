#!/usr/bin/env bash
# bench/serve.sh — rigor serve on a big history: latency of the overview, a test page, a run
# page, the flaky board and /metrics under wrk (p50/p95/p99), and the server's resident memory.
#
# The history (default 100,000 runs × 100 results = 10,000,000 results over 2,000 tests) is
# generated straight into SQLite by bench/serve_gen.py (not by running tests), once, under
# bench/work/. The schema is rigor's own: the release binary creates it.
#
#   bench/serve.sh                      # full size
#   RUNS=10000 bench/serve.sh           # smaller
#   DURATION=30 CONNECTIONS=8 bench/serve.sh
#
# There is no peer dashboard to run side by side here (ReportPortal, Allure and Grafana are not
# in the package registries this machine reaches); the figures are compared with the goal
# (p95 ≤ 100 ms) instead.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
RUNS="${RUNS:-100000}"
PER_RUN="${PER_RUN:-100}"
TESTS="${TESTS:-2000}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-4}"
PORT="${PORT:-18765}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --release --quiet -p rigor-cli)
RIGOR="$TARGET/release/rigor"
if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >/dev/null
fi

WORK="$BENCH_DIR/work/serve-$RUNS-$PER_RUN-$TESTS"
DB="$WORK/.rigor/history.db"
mkdir -p "$WORK"
start_server() {
  "$RIGOR" -C "$WORK" serve --addr "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
  SERVER=$!
  for _ in $(seq 1 600); do
    grep -q "listening on" "$WORK/serve.log" 2>/dev/null && return 0
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.log"; exit 1; }
    sleep 0.1
  done
  echo "rigor serve did not start"; exit 1
}
stop_server() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap stop_server EXIT

if [ ! -f "$WORK/generated" ]; then
  rm -rf "$WORK/.rigor"
  echo "== creating the schema with $RIGOR"
  start_server
  stop_server
  echo "== generating $RUNS runs × $PER_RUN results ($TESTS tests)"
  python3 "$BENCH_DIR/serve_gen.py" "$DB" "$RUNS" "$PER_RUN" "$TESTS"
  touch "$WORK/generated"
fi
echo "history: $(du -h "$DB" | cut -f1) at $DB"

start_server
BASE="http://127.0.0.1:$PORT"
TEST_ID="tests/test_mod010.py::test_case_00200"
TEST_URL="$BASE/test?suite=python&id=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$TEST_ID")"
RUN_URL="$BASE/runs/$((RUNS / 2))"

LUA="$WORK/percentiles.lua"
cat >"$LUA" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.1f %.1f %d %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout))
end
LUA

echo
echo "rigor $("$RIGOR" --version | awk '{print $2}'), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $CONNECTIONS connections, ${DURATION}s per page, $(nproc) cores"
printf "%-22s %9s %9s %9s %9s %9s %7s\n" page first_ms p50_ms p95_ms p99_ms requests errors
for spec in "overview|$BASE/" "overview-main-30d|$BASE/?branch=main&days=30" "test page|$TEST_URL" "run page|$RUN_URL" "flaky board|$BASE/flaky" "api runs|$BASE/api/v1/runs" "metrics|$BASE/metrics"; do
  name="${spec%%|*}"
  url="${spec#*|}"
  first=$(curl -s -o /dev/null -w '%{time_total}' "$url" | awk '{printf "%.1f", $1 * 1000}')
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  [ "$code" = 200 ] || { echo "$name: HTTP $code"; exit 1; }
  read -r p50 p95 p99 n errors < <(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$LUA" "$url" | grep '^RESULT' | cut -d' ' -f2-)
  printf "%-22s %9s %9s %9s %9s %9s %7s\n" "$name" "$first" "$p50" "$p95" "$p99" "$n" "$errors"
done
echo
grep -E '^(VmRSS|VmHWM)' "/proc/$SERVER/status" | sed 's/^/server /'
