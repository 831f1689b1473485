#!/usr/bin/env bash
# Overhead on a small selection (issue 17, item 3): `rigor run --changed` selecting at most 10
# tests against plain `pytest <those node ids>` — the same tests, the same interpreter, the same
# pytest options — on a real project: more-itertools 10.5.0 (default) or python-dateutil
# 2.9.0.post0. Rounds alternate the three commands; medians are printed.
#   bench/small_selection.sh [ROUNDS] [more-itertools|python-dateutil]
source "$(dirname "$0")/common.sh"
ROUNDS="${1:-7}"
PROJECT="${2:-more-itertools}"
case "$PROJECT" in
  more-itertools)
    src=$(fetch_sdist more-itertools 10.5.0)
    ARGS=()
    FILE=more_itertools/more.py
    # One line inside intersperse() (its error message).
    EDIT="s/raise ValueError('n must be > 0')/raise ValueError('n must be positive')/"
    WHERE="intersperse()" ;;
  python-dateutil)
    src=$(fetch_sdist python-dateutil 2.9.0.post0)
    # Its test suite's own dependencies; the sources come first (freezegun installs a copy).
    "$VENV/bin/pip" install --quiet --disable-pip-version-check six==1.16.0 freezegun==1.5.1 hypothesis==6.112.0
    ARGS=(-o pythonpath=src -W ignore::pytest.PytestUnknownMarkWarning)
    FILE=src/dateutil/utils.py
    # One line inside within_delta().
    EDIT="s/    delta = abs(delta)$/    delta = abs(delta)  # magnitude/"
    WHERE="within_delta()" ;;
  *) echo "unknown project $PROJECT (more-itertools, python-dateutil)" >&2; exit 2 ;;
esac
proj="$WORK/small-selection-$PROJECT"
rm -rf "$proj" && cp -r "$src" "$proj"
cd "$proj"
if [ ${#ARGS[@]} -gt 0 ]; then
  printf '[[suite]]\nname = "python"\nkind = "pytest"\nargs = [%s, "tests"]\n' \
    "$(printf '"%s", ' "${ARGS[@]}" | sed 's/, $//')" > rigor.toml
fi
# The copy is its own repository (change-aware selection looks at its git history).
printf '.rigor/\n__pycache__/\n.pytest_cache/\n.hypothesis/\n' > .gitignore
git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -q -m "$PROJECT"
export RIGOR_PYTHON_INTERPRETER="$PY"
"$RIGOR" run -j 2 >/dev/null 2>&1 || true     # history: durations of every test
total=$("$RIGOR" history --format json 2>/dev/null | "$PY" -c 'import json, sys; print(sum(json.load(sys.stdin)[0]["counts"].values()))' 2>/dev/null || echo "?")

sed -i "$EDIT" "$FILE"
git diff --quiet && { echo "the change did not apply" >&2; exit 1; }
mapfile -t ids < <("$RIGOR" plan --format json 2>/dev/null \
  | "$PY" -c 'import json, sys; print("\n".join(t["id"] for t in json.load(sys.stdin)["tests"]))')
n=${#ids[@]}
echo "== $PROJECT: one line in $FILE ($WHERE); rigor selects $n of $total tests"
printf '   %s\n' "${ids[@]}"
if [ "$n" -lt 1 ] || [ "$n" -gt 10 ]; then
  echo "expected 1..10 selected tests, got $n" >&2
  exit 1
fi

time_of() { local s e; s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now); echo "$e - $s" | bc; }
: > "$WORK/small-selection.times"
for _ in $(seq "$ROUNDS"); do
  echo "rigor2 $(time_of "$RIGOR" run --changed -j 2)" >> "$WORK/small-selection.times"
  echo "rigor1 $(time_of "$RIGOR" run --changed -j 1)" >> "$WORK/small-selection.times"
  echo "pytest $(time_of "$PY" -m pytest -q -p no:cacheprovider "${ARGS[@]}" "${ids[@]}")" >> "$WORK/small-selection.times"
done
med() { grep "^$1 " "$WORK/small-selection.times" | cut -d' ' -f2 | median; }
p=$(med pytest); r2=$(med rigor2); r1=$(med rigor1)
echo "== wall time, medians of $ROUNDS alternating rounds"
printf '   pytest <%d node ids>          %6.2f s\n' "$n" "$p"
printf '   rigor run --changed -j 2    %6.2f s   ratio %.2f (goal <= 1.3)\n' "$r2" "$(echo "$r2 / $p" | bc -l)"
printf '   rigor run --changed -j 1    %6.2f s   ratio %.2f\n' "$r1" "$(echo "$r1 / $p" | bc -l)"
echo "== where rigor's time goes (one more run, -j 2)"
"$RIGOR" run --changed -j 2 2>&1 >/dev/null | grep -E "discovery|selection|tests on|worker|PASSED|FAILED" || true
