#!/usr/bin/env bash
# Benchmarks of the runner (issue: "rigor runs a real project's tests"):
#  1. exact counts: rigor vs native pytest on a pinned PyPI sdist, rigor vs cargo nextest on a
#     pinned crates.io crate;
#  2. wall time: `rigor run --jobs 2` vs `pytest -n 2` (pytest-xdist), alternating, median ratio;
#  3. overhead on 2,000 trivial tests.
# Usage: bench/runner.sh [ROUNDS]   (default 5)
source "$(dirname "$0")/common.sh"
ROUNDS="${1:-5}"
PYPROJ_NAME=more-itertools PYPROJ_VERSION=10.5.0
CRATE_NAME=semver CRATE_VERSION=1.0.23

for spec in "more-itertools 10.5.0" "boltons 24.1.0"; do
  set -- $spec
  dir=$(fetch_sdist "$1" "$2")
  echo "== counts: $1 $2 (pytest)"
  native=$(cd "$dir" && "$PY" -m pytest -q -p no:cacheprovider 2>&1 | tail -1)
  rm -rf "$dir/.rigor"
  rigor_line=$(cd "$dir" && RIGOR_PYTHON_INTERPRETER="$PY" "$RIGOR" run -j 2 2>/dev/null | tail -1)
  echo "native pytest: $native"
  echo "rigor:         $rigor_line"
done
proj=$(fetch_sdist "$PYPROJ_NAME" "$PYPROJ_VERSION")

crate=$(fetch_crate "$CRATE_NAME" "$CRATE_VERSION")
echo "== counts: $CRATE_NAME $CRATE_VERSION (cargo nextest)"
native=$(cd "$crate" && cargo nextest run --no-fail-fast 2>&1 | grep "Summary \[")
rigor_line=$(cd "$crate" && "$RIGOR" run -j 2 2>/dev/null | tail -1)
echo "cargo nextest: $native"
echo "rigor:         $rigor_line"

echo "== wall time: rigor run --jobs 2 vs pytest -n 2 on $PYPROJ_NAME ($ROUNDS rounds, alternating)"
rt=(); xt=()
for i in $(seq "$ROUNDS"); do
  s=$(now); (cd "$proj" && RIGOR_PYTHON_INTERPRETER="$PY" "$RIGOR" run -j 2 >/dev/null 2>&1) || true; e=$(now)
  rt+=("$(echo "$e - $s" | bc)")
  s=$(now); (cd "$proj" && "$PY" -m pytest -n 2 -q -p no:cacheprovider >/dev/null 2>&1) || true; e=$(now)
  xt+=("$(echo "$e - $s" | bc)")
done
rm=$(printf '%s\n' "${rt[@]}" | median); xm=$(printf '%s\n' "${xt[@]}" | median)
echo "rigor   median ${rm}s  (${rt[*]})"
echo "xdist   median ${xm}s  (${xt[*]})"
echo "ratio rigor/xdist = $(echo "scale=3; $rm / $xm" | bc)   (goal <= 1.05)"

echo "== overhead on 2,000 trivial tests"
triv="$WORK/trivial"
mkdir -p "$triv/tests"
printf '[pytest]\n' > "$triv/pytest.ini"
for f in $(seq 0 19); do
  { for t in $(seq 0 99); do printf 'def test_%d():\n    assert True\n\n' "$t"; done; } > "$triv/tests/test_m$f.py"
done
rm -rf "$triv/.rigor"
pt=(); r1=(); r2=(); x2=()
for i in $(seq "$ROUNDS"); do
  s=$(now); (cd "$triv" && "$PY" -m pytest -q -p no:cacheprovider >/dev/null 2>&1); e=$(now); pt+=("$(echo "$e - $s" | bc)")
  s=$(now); (cd "$triv" && RIGOR_PYTHON_INTERPRETER="$PY" "$RIGOR" run -j 1 >/dev/null 2>&1); e=$(now); r1+=("$(echo "$e - $s" | bc)")
  s=$(now); (cd "$triv" && RIGOR_PYTHON_INTERPRETER="$PY" "$RIGOR" run -j 2 >/dev/null 2>&1); e=$(now); r2+=("$(echo "$e - $s" | bc)")
  s=$(now); (cd "$triv" && "$PY" -m pytest -n 2 -q -p no:cacheprovider >/dev/null 2>&1); e=$(now); x2+=("$(echo "$e - $s" | bc)")
done
p=$(printf '%s\n' "${pt[@]}" | median); a=$(printf '%s\n' "${r1[@]}" | median)
b=$(printf '%s\n' "${r2[@]}" | median); c=$(printf '%s\n' "${x2[@]}" | median)
echo "pytest (1 process)   median ${p}s"
echo "rigor -j 1           median ${a}s   ratio to pytest $(echo "scale=3; $a / $p" | bc)"
echo "rigor -j 2           median ${b}s"
echo "pytest -n 2 (xdist)  median ${c}s   rigor -j 2 / xdist = $(echo "scale=3; $b / $c" | bc)"
