#!/usr/bin/env bash
# rigor rollout on loopback under bounded load (wrk, ≈ 2,000 requests/s: 24 connections that
# each wait 10 ms between requests):
#  1. proxy overhead: p50/p99 through rigor's proxy vs a direct connection (the peer);
#  2. blue → green switch under load: failed requests (goal 0);
#  3. green answering 5xx to 20 % of requests: time from green's first traffic to the rollback
#     (goal ≤ 10 s);
#  4. green 30 % slower: rolled back within the bake (30 s);
#  5. A/A: false rollbacks of the judge over 200 analyses of real latencies measured through the
#     proxy, side by side (random halves of a period) and one after the other (goal ≤ 1 %).
# The services are examples/bench_service.rs (hyper), built here in release mode.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ -z "${RIGOR_NO_BUILD:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p rigor-cli && cargo build --release --quiet -p rigor-release --example bench_service)
fi
RIGOR="${RIGOR:-$TARGET/release/rigor}"
SVC="${SVC:-$TARGET/release/examples/bench_service}"
RIGOR="$(realpath "$RIGOR")"; SVC="$(realpath "$SVC")"
if ! command -v wrk >/dev/null; then
  apt-get install -y -qq wrk >/dev/null
fi
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
cat > "$WORK/pace.lua" <<'LUA'
function delay() return 10 end
LUA
WRK=(wrk -t2 -c24 --latency -s "$WORK/pace.lua")
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
svc() { "$SVC" "127.0.0.1:$1" "${2:-0}" "${3:-0}" & PIDS+=($!); }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
pct() { awk -v p="$1" '$1==p {print $2}' "$2"; }
summary() { # file → "rps, p50, p99, non-2xx, socket errors"
  local f="$1"
  echo "$(awk '/Requests\/sec/ {print $2}' "$f") req/s, p50 $(pct 50% "$f"), p99 $(pct 99% "$f"), non-2xx $(awk '/Non-2xx/ {print $5}' "$f" | grep . || echo 0), socket errors: $(grep -o 'Socket errors.*' "$f" || echo none)"
}
echo "rigor $("$RIGOR" --version | awk '{print $2}'), $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. overhead, and 5. A/A through the same proxy
B=$(port); G=$(port); L=$(port); C=$(port)
svc "$B"; svc "$G"; wait_port "$B"; wait_port "$G"
"${WRK[@]}" -d10s "http://127.0.0.1:$B/" > "$WORK/direct.txt"
(cd "$WORK" && "$RIGOR" rollout --exit --listen "127.0.0.1:$L" --control "127.0.0.1:$C" --blue "127.0.0.1:$B" --green "127.0.0.1:$G" --baseline-time 10m >/dev/null 2>&1) & PIDS+=($!)
wait_port "$L"
"${WRK[@]}" -d10s "http://127.0.0.1:$L/" > "$WORK/proxy.txt"
echo "1. direct:        $(summary "$WORK/direct.txt")"
echo "   through rigor: $(summary "$WORK/proxy.txt")"
echo "5. $(python3 "$BENCH_DIR/rollout_aa.py" "127.0.0.1:$L" "$RIGOR" "${AA_ANALYSES:-200}" 60)"
"$RIGOR" rollout abort --control "127.0.0.1:$C" >/dev/null 2>&1 || true
sleep 1

# 2-4: a rollout under load; the decision from rigor's JSON
run() { # name green_errors blue_delay green_delay step_time
  local B G L C
  B=$(port); G=$(port); L=$(port); C=$(port)
  svc "$B" 0 "$3"; svc "$G" "$2" "$4"; wait_port "$B"; wait_port "$G"
  # rigor keeps serving the winner after its decision; the load runs its fixed time through the
  # proxy (baseline, step and a few seconds after), then rigor is stopped.
  (cd "$WORK" && exec "$RIGOR" rollout --format json --listen "127.0.0.1:$L" --control "127.0.0.1:$C" \
    --blue "127.0.0.1:$B" --green "127.0.0.1:$G" --baseline-time 5s --step-time "$5" > "$WORK/$1.json" 2>"$WORK/$1.err") &
  local R=$!
  wait_port "$L"
  # the default steps are [50, 100]: baseline, two steps, and a few seconds after the decision
  "${WRK[@]}" -d"$(( 5 + 2 * ${5%s} + 8 ))s" "http://127.0.0.1:$L/" > "$WORK/$1.txt" || true
  kill "$R" 2>/dev/null || true
  wait "$R" || true
  python3 - "$WORK/$1.json" "$1" "$WORK/$1.err" <<'PY'
import json, sys
raw = open(sys.argv[1]).read()
if not raw.strip():
    sys.exit("   %s: no decision recorded; rigor said:\n%s" % (sys.argv[2], open(sys.argv[3]).read()))
v = json.loads(raw)
print("   %s: %s after %.1f s of green traffic (%d analyses); reason: %s" % (sys.argv[2], v["decision"], v["green_exposure_s"], len(v["analyses"]), v["reason"]))
PY
  echo "   load: $(summary "$WORK/$1.txt")"
}
echo "2. A/A switch under load"; run switch 0 1 1 10s
echo "3. green with 20 % 5xx";   run errors 0.2 1 1 30s
echo "4. green 30 % slower (blue 5 ms, green 6.5 ms)"; run slower 0 5 6.5 30s
