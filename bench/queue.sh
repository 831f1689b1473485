#!/usr/bin/env bash
# Queue mode vs static LPT shards: makespan and tests run, 4 jobs side by side in one run, with
# the shipped release binary against a throwaway PostgreSQL cluster.
#
#   bench/queue.sh [TESTS]        (default 120 tests, about 80 s of sleep in all, CPU-free)
#
# A generated pytest suite sleeps a varied duration per test (BENCH_SLOW multiplies it: that job
# runs 2x slower). Its history comes from one earlier run at a previous commit, so static shards
# (`rigor run --shard K/4`) and the queue (`rigor run --queue NAME`) plan from the same estimates.
# Scenarios, each in a fresh database seeded with that history, 4 jobs at once, -j 1 each:
#   slow:   job 1 runs every test 2x slower;
#   killed: job 1 is killed (SIGKILL to its process group) halfway through the ideal makespan.
# Reported: makespan (start of the 4 jobs to the end of the last), distinct tests with a result
# at the bench commit, and queue/static ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
TESTS="${1:-120}"
RIGOR="${RIGOR:-${CARGO_TARGET_DIR:-target}/release/rigor}"
PY="${RIGOR_TEST_PYTHON:-python3}"
LEASE="${LEASE:-5s}"
source "$(dirname "$0")/pg_cluster.sh"
pg_cluster_setup queue

pg_cluster_start -c max_connections=60
pg() { psql -q -At -h 127.0.0.1 -p "$PORT" -U rigor "$@"; }

echo "== a suite of $TESTS tests"
P="$WORK/proj"
mkdir -p "$P/tests"
printf '[project]\nname = "qbench"\nversion = "0.1"\n' > "$P/pyproject.toml"
cat > "$P/tests/test_bench.py" <<PY
import os, time
import pytest

# Varied durations: mostly short, a few long ones (deterministic).
D = [3.0 if i % 23 == 0 else 0.1 + ((i * 7919) % 97) / 97 * 1.1 for i in range($TESTS)]
SLOW = float(os.environ.get("BENCH_SLOW", "1"))


@pytest.mark.parametrize("i", range($TESTS))
def test_bench(i):
    time.sleep(D[i] * SLOW)
PY
TOTAL=$(python3 -c "print(sum(3.0 if i % 23 == 0 else 0.1 + ((i * 7919) % 97) / 97 * 1.1 for i in range($TESTS)))")
git -C "$P" init -q -b main
git -C "$P" -c user.name=b -c user.email=b@example.invalid add -A
git -C "$P" -c user.name=b -c user.email=b@example.invalid commit -q -m history
echo "== history: one run at the first commit ($TOTAL s of sleep, -j 4)"
( cd "$P" && RIGOR_PYTHON_INTERPRETER="$PY" RIGOR_STORE_URL="sqlite://$WORK/warm.db" \
    "$RIGOR" run -j 4 --format json > "$WORK/warm.json" 2>/dev/null )
echo "bench" > "$P/NOTE"
git -C "$P" -c user.name=b -c user.email=b@example.invalid add -A
git -C "$P" -c user.name=b -c user.email=b@example.invalid commit -q -m bench
HEAD_SHA=$(git -C "$P" rev-parse HEAD)
KILL_AT=$(python3 -c "print(round($TOTAL / 4 / 2, 1))")

# scenario NAME MODE(static|queue) FAULT(slow|kill) → prints "makespan tests_run"
scenario() {
  local name="$1" mode="$2" fault="$3" db="b_$1"
  pg -d postgres -c "CREATE DATABASE $db"
  local url="postgres://rigor@127.0.0.1:$PORT/$db"
  ( cd "$P" && RIGOR_STORE_URL="$url" "$RIGOR" merge "$WORK/warm.json" >/dev/null 2>&1 )
  local pids=() start end k args
  start=$(date +%s.%N)
  for k in 1 2 3 4; do
    if [ "$mode" = static ]; then args=(--shard "$k/4"); else args=(--queue "$name" --lease-timeout "$LEASE"); fi
    local slow=1
    [ "$fault" = slow ] && [ "$k" = 1 ] && slow=2
    ( cd "$P" && BENCH_SLOW=$slow RIGOR_PYTHON_INTERPRETER="$PY" RIGOR_STORE_URL="$url" \
        exec setsid "$RIGOR" run -j 1 "${args[@]}" --format json > "$WORK/$name.$k.json" 2> "$WORK/$name.$k.err" ) &
    pids+=($!)
  done
  if [ "$fault" = kill ]; then
    sleep "$KILL_AT"
    kill -9 -- "-${pids[0]}" 2>/dev/null || kill -9 "${pids[0]}"
  fi
  for k in "${pids[@]}"; do wait "$k" || true; done
  end=$(date +%s.%N)
  local ran
  ran=$(pg -d "$db" -c "SELECT COUNT(DISTINCT r.test_id) FROM results r JOIN runs u ON u.id = r.run_id WHERE u.commit_sha = '$HEAD_SHA'")
  echo "$(python3 -c "print(round($end - $start, 2))") $ran"
}

echo "== 4 jobs, -j 1 each; static LPT shards vs queue (lease timeout $LEASE)"
read -r S_SLOW_T S_SLOW_N < <(scenario sslow static slow)
echo "static, one job 2x slower: ${S_SLOW_T}s, $S_SLOW_N tests"
read -r Q_SLOW_T Q_SLOW_N < <(scenario qslow queue slow)
echo "queue,  one job 2x slower: ${Q_SLOW_T}s, $Q_SLOW_N tests"
read -r S_KILL_T S_KILL_N < <(scenario skill static kill)
echo "static, one job killed at ${KILL_AT}s: ${S_KILL_T}s, $S_KILL_N tests"
read -r Q_KILL_T Q_KILL_N < <(scenario qkill queue kill)
echo "queue,  one job killed at ${KILL_AT}s: ${Q_KILL_T}s, $Q_KILL_N tests"
read -r S_NONE_T S_NONE_N < <(scenario snone static none)
read -r Q_NONE_T Q_NONE_N < <(scenario qnone queue none)

python3 - "$TESTS" "$TOTAL" "$KILL_AT" "$LEASE" "$("$RIGOR" --version)" "$PGVERSION" \
  "$S_NONE_T" "$S_NONE_N" "$Q_NONE_T" "$Q_NONE_N" \
  "$S_SLOW_T" "$S_SLOW_N" "$Q_SLOW_T" "$Q_SLOW_N" "$S_KILL_T" "$S_KILL_N" "$Q_KILL_T" "$Q_KILL_N" <<'PY'
import sys
tests, total, kill_at, lease, rigor, pgv = sys.argv[1:7]
v = list(map(float, sys.argv[7:]))
print(f"{rigor}; {pgv}; {tests} tests, {float(total):.1f} s of sleep; ideal makespan {float(total)/4:.1f} s on 4 jobs")
print("| scenario | static: makespan s | static: tests run | queue: makespan s | queue: tests run | queue/static makespan |")
print("|---|---|---|---|---|---|")
rows = [("no fault", v[0:4]), ("one job 2x slower", v[4:8]), (f"one job killed at {kill_at} s (lease {lease})", v[8:12])]
for name, (st, sn, qt, qn) in rows:
    print(f"| {name} | {st:.1f} | {int(sn)}/{tests} | {qt:.1f} | {int(qn)}/{tests} | {qt/st:.2f} |")
if int(v[11]) != int(tests):
    sys.exit("the queue did not finish every test after the kill")
PY
