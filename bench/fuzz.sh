#!/usr/bin/env bash
# Fuzz every parser of outside input with libFuzzer (cargo-fuzz on the nightly toolchain),
# SECONDS each (default 600), and print a Markdown table: executions, executions/s, coverage
# (libFuzzer's `cov`), corpus size and crashes per target. Crash inputs stay in
# fuzz/artifacts/any/; copy each into crates/rigor-fuzz/tests/regressions/<target>/ once fixed.
# Usage: bench/fuzz.sh [SECONDS] [TARGET...]      (JOBS=2 runs two targets at a time)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
secs="${1:-600}"
shift || true
work="$root/bench/work/fuzz"
mkdir -p "$work"
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "bench/fuzz.sh needs the nightly toolchain (rustup toolchain list)" >&2
  exit 2
fi
if [ ! -x "$work/cargo/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --locked --root "$work/cargo" >&2
fi
export PATH="$work/cargo/bin:$PATH"
cargo build --quiet -p rigor-fuzz --bin rigor-fuzz >&2
"${CARGO_TARGET_DIR:-$root/target}/debug/rigor-fuzz" seeds "$work/seeds"
cargo +nightly fuzz build any >&2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls "$work/seeds")
fi
run_one() {
  local t="$1" corpus="$work/corpus/$1" log="$work/$1.log"
  mkdir -p "$corpus"
  cp -n "$work/seeds/$t"/* "$corpus/" 2>/dev/null || true
  set +e
  RIGOR_FUZZ_TARGET="$t" cargo +nightly fuzz run any "$corpus" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
  echo $? >"$work/$t.rc"
  set -e
}
jobs_max="${JOBS:-1}"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 1; done
  run_one "$t" &
done
wait
echo "| target | executions | exec/s | cov | corpus | crashes |"
echo "|---|---:|---:|---:|---:|---:|"
for t in "${targets[@]}"; do
  log="$work/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  corpus=$(ls "$work/corpus/$t" | wc -l)
  crashes=0
  if [ "$(cat "$work/$t.rc")" != "0" ]; then crashes=1; fi
  echo "| $t | $execs | $rate | $cov | $corpus | $crashes |"
done
