#!/usr/bin/env bash
# `rigor ci` on a real pytest project (more-itertools 10.5.0): per-tier times with the default
# tiers, then with one injected failing test: the run must stop after the first tier holding it.
source "$(dirname "$0")/common.sh"
src=$(fetch_sdist more-itertools 10.5.0)
proj="$WORK/ci-tiers"
rm -rf "$proj" && cp -r "$src" "$proj"
cd "$proj"
# The copy is its own repository (change-aware selection looks at its git history).
printf '.rigor/\n__pycache__/\n' > .gitignore
git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -q -m "more-itertools 10.5.0"
export RIGOR_PYTHON_INTERPRETER="$PY"
"$RIGOR" run -j 2 >/dev/null 2>&1 || true     # history: durations
echo "== rigor ci --all, green (every test, in tiers)"
"$RIGOR" ci -j 2 --all --no-gates --format json 2>/dev/null | "$PY" "$BENCH_DIR/ci_tiers.py"
echo "== rigor ci (change-aware) with an injected failing test in tests/test_more.py"
printf '\n\ndef test_injected_failure():\n    assert more_itertools.first([1]) == 2\n' >> tests/test_more.py
grep -q "^import more_itertools" tests/test_more.py || sed -i '1i import more_itertools' tests/test_more.py
start=$(now)
"$RIGOR" ci -j 2 --no-gates --format json 2>/dev/null | "$PY" "$BENCH_DIR/ci_tiers.py"
end=$(now)
echo "  end to end (discovery, plan, smoke, report): $(echo "$end - $start" | bc) s"
