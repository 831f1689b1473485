#!/usr/bin/env bash
# Reading big XML artifacts: `rigor gate --junit FILE` on generated JUnit files of 10k, 100k and
# 500k testcases (one in ten failing, pytest's xunit1 shape). Prints size, wall time and time per
# testcase; linear reading keeps the last column flat. Needs only python3 and a rigor build
# (RIGOR=path, else a release build of this tree). Sizes: `bench/xml.sh 10000 100000 500000`.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
WORK="$BENCH_DIR/work/xml"
mkdir -p "$WORK"
RIGOR="${RIGOR:-$ROOT/target/release/rigor}"
if [ -z "${RIGOR_NO_BUILD:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p rigor-cli)
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 500000)

gen() { # gen N FILE
  python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites>\n')
    f.write('<testsuite name="pytest" errors="0" failures="%d" skipped="0" tests="%d" time="1.0">\n' % (n // 10, n))
    for i in range(n):
        mod = "tests/test_m%d.py" % (i // 100)
        head = '<testcase classname="tests.test_m%d" name="test_%d" file="%s" line="%d" time="0.001"' % (i // 100, i, mod, i % 100)
        if i % 10 == 0:
            f.write(head + '><failure message="assert 1 == 2">def test_%d():\n&gt;       assert 1 == 2\nE       assert 1 == 2\n\n%s:%d: AssertionError</failure></testcase>\n' % (i, mod, i % 100))
        else:
            f.write(head + "/>\n")
    f.write("</testsuite>\n</testsuites>\n")
PY
}

printf '| testcases | file size | `rigor gate --junit` | per 1,000 testcases |\n|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  file="$WORK/junit-$n.xml"
  [ -f "$file" ] || gen "$n" "$file"
  dir="$WORK/project-$n"
  rm -rf "$dir" && mkdir -p "$dir"
  start=$(date +%s.%N)
  # The tests gate fails (one in ten testcases fails): exit 1 is the expected outcome.
  code=0
  (cd "$dir" && "$RIGOR" gate --junit "$file" --no-record >/dev/null 2>"$WORK/stderr-$n") || code=$?
  end=$(date +%s.%N)
  if [ "$code" -ne 1 ]; then
    echo "rigor gate exited $code on $n testcases (expected 1):" >&2
    cat "$WORK/stderr-$n" >&2
    exit 1
  fi
  python3 -c "
import os, sys
n, secs, size = int(sys.argv[1]), float(sys.argv[2]) - float(sys.argv[3]), os.path.getsize(sys.argv[4])
print('| %s | %.1f MB | %.2f s | %.1f ms |' % (format(n, ','), size / 1e6, secs, secs * 1000 * 1000 / n))
" "$n" "$end" "$start" "$file"
done
