#!/usr/bin/env bash
# Changed-line coverage on real projects no one here wrote, side by side with diff-cover.
#
#   bench/gate/diffcover_compare.sh            # work dir: bench/work/gate (gitignored)
#
# For each project: fetch its pinned sdist (pip download --no-binary :all: --no-deps), put it in
# a scratch git repository (branch main), commit a change on a branch (bench/gate/changes/NAME/
# committed.py), run the project's own pytest suite under coverage.py, run diff-cover (pinned) and
# `rigor gate --base main` on the same coverage files, compare (bench/gate/compare.py); then, if
# there is a worktree.py, make that unstaged edit and measure again. Every rigor output format of
# the last scenario is printed at the end.
#
# Needs python3 (a venv with bench/gate/requirements.txt is made unless PYTHON is given), git and
# the rigor binary (RIGOR, default: cargo build into $CARGO_TARGET_DIR or target/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
work="$repo_root/bench/work/gate"
mkdir -p "$work"
cd "$work"

if [[ -z "${PYTHON:-}" ]]; then
  if [[ ! -x "$work/venv/bin/python" ]]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q -r "$here/requirements.txt"
  fi
  PYTHON="$work/venv/bin/python"
fi
bindir="$(dirname "$PYTHON")"
if [[ -z "${RIGOR:-}" ]]; then
  (cd "$repo_root" && cargo build -q -p rigor-cli)
  RIGOR="${CARGO_TARGET_DIR:-$repo_root/target}/debug/rigor"
fi

# name version coverage-source tests pythonpath
projects=(
  "more-itertools 10.5.0 more_itertools tests ."
  "pluggy 1.5.0 src/pluggy testing src"
)

git_() { git -c user.name=bench -c user.email=bench@example.invalid "$@"; }

# measure OUT_DIR SOURCE TESTS PYTHONPATH: coverage, diff-cover and every rigor output
measure() {
  local out="$1" source="$2" tests="$3" pypath="$4"
  mkdir -p "$out"
  PYTHONPATH="$pypath" "$PYTHON" -m coverage run --source="$source" -m pytest -q -p no:cacheprovider \
    --junitxml=junit.xml "$tests" > "$out/pytest.txt" 2>&1 || true
  echo "  pytest: $(tail -n 1 "$out/pytest.txt")"
  "$PYTHON" -m coverage xml -q -o coverage.xml
  "$PYTHON" -m coverage json -q -o coverage.json
  "$PYTHON" -m coverage lcov -q -o coverage.lcov
  "$bindir/diff-cover" coverage.xml --compare-branch=main --json-report "$out/diffcover-xml.json" \
    --markdown-report "$out/diffcover.md" > "$out/diffcover.txt" || true
  "$bindir/diff-cover" coverage.lcov --compare-branch=main --json-report "$out/diffcover-lcov.json" \
    > /dev/null 2>&1 || echo "diff-cover could not read LCOV" > "$out/diffcover-lcov.json"
  set +e
  "$RIGOR" gate --coverage coverage.xml --junit junit.xml --base main --no-record \
    --markdown-out "$out/gate.md" --json-out "$out/gate.json" --junit-out "$out/gate-junit.xml" \
    --sarif-out "$out/gate.sarif" --gitlab-out "$out/gate-codequality.json" > "$out/gate-table.txt"
  local code=$?
  "$RIGOR" gate --coverage coverage.xml --junit junit.xml --base main --no-record --format github > "$out/gate-github.txt"
  "$RIGOR" gate --coverage coverage.json --base main --no-record --no-run --format json > "$out/gate-from-json.json"
  "$RIGOR" gate --coverage coverage.lcov --base main --no-record --no-run --format json > "$out/gate-from-lcov.json"
  set -e
  echo "  rigor gate exit code: $code (1 = a blocking gate failed)"
}

rm -rf "$work/out"
last=""
for p in "${projects[@]}"; do
  read -r name ver source tests pypath <<< "$p"
  sdist="$name-$ver.tar.gz"
  [[ -f "$sdist" ]] || "$PYTHON" -m pip download -q --no-binary :all: --no-deps "$name==$ver" -d .
  rm -rf "$work/projects/$name" && mkdir -p "$work/projects"
  tar --no-same-owner -xzf "$sdist" -C "$work/projects" && mv "$work/projects/$name-$ver" "$work/projects/$name"
  cd "$work/projects/$name"
  git init -q -b main && git_ add -A && git_ commit -qm "$name $ver as released"
  git checkout -q -b change
  "$PYTHON" "$here/changes/$name/committed.py"
  git_ commit -qam "a change with untested lines"
  echo "== $name $ver, committed change"
  measure "$work/out/$name/committed" "$source" "$tests" "$pypath"
  "$PYTHON" "$here/compare.py" "$work/out/$name/committed" "$name $ver, committed change"
  last="$work/out/$name/committed"
  if [[ -f "$here/changes/$name/worktree.py" ]]; then
    "$PYTHON" "$here/changes/$name/worktree.py"
    echo "== $name $ver, plus an unstaged edit"
    measure "$work/out/$name/worktree" "$source" "$tests" "$pypath"
    "$PYTHON" "$here/compare.py" "$work/out/$name/worktree" "$name $ver, plus an unstaged edit"
    last="$work/out/$name/worktree"
  fi
  cd "$work"
done

cd "$work/out/more-itertools/worktree"
echo
echo "== every rigor output for more-itertools, committed change + unstaged edit =="
echo "-- terminal"; cat gate-table.txt
echo "-- GitHub annotations"; cat gate-github.txt
echo "-- Markdown"; cat gate.md
echo "-- SARIF results"
"$PYTHON" -c "import json;d=json.load(open('gate.sarif'));[print(r['level'], r['locations'][0]['physicalLocation']['artifactLocation']['uri'], r['locations'][0]['physicalLocation']['region'], r['message']['text']) for r in d['runs'][0]['results']]"
echo "-- GitLab code quality"
"$PYTHON" -c "import json;[print(i['severity'], i['location'], i['description']) for i in json.load(open('gate-codequality.json'))]"
echo "-- JUnit"; grep -o '<testcase [^>]*>\|<failure message="[^"]*"\|<skipped message="[^"]*"' gate-junit.xml
echo "-- diff-cover"; cat diffcover.txt
