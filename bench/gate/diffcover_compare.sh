#!/usr/bin/env bash
# Changed-line coverage on a real project no one here wrote, side by side with diff-cover.
#
#   bench/gate/diffcover_compare.sh            # uses ./bench/work/gate (gitignored)
#
# 1. fetch the pinned sdist of more-itertools (pip download --no-binary :all: --no-deps),
# 2. put it in a scratch git repo (branch main), run its pytest suite under coverage.py,
# 3. commit a change with partly uncovered lines on a branch, re-run the suite with coverage,
# 4. run diff-cover (pinned) and `rigor gate` on the same coverage files and the same base,
# 5. print both tools' numbers side by side and every rigor output format.
#
# Needs python3 (a venv with bench/gate/requirements.txt is made if PYTHON is not given), git,
# and the rigor binary (RIGOR, default: cargo build, target dir $CARGO_TARGET_DIR).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
work="$repo_root/bench/work/gate"
pkg=more-itertools
ver=10.5.0
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

[[ -f "$pkg-$ver.tar.gz" ]] || "$PYTHON" -m pip download -q --no-binary :all: --no-deps "$pkg==$ver" -d .
rm -rf project out && mkdir -p out
tar xzf "$pkg-$ver.tar.gz" && mv "$pkg-$ver" project
cd project
git init -q -b main
git -c user.name=bench -c user.email=bench@example.invalid add -A
git -c user.name=bench -c user.email=bench@example.invalid commit -qm "$pkg $ver as released"

# --- the change: a new function (partly tested) and an edit of an existing one -------------
git checkout -q -b change
"$PYTHON" - <<'PY'
import re
p = "more_itertools/more.py"
s = open(p).read()
s = s.replace("__all__ = [", "__all__ = [\n    'clamp_all',", 1)
s += '''

def clamp_all(iterable, low, high, *, strict=False):
    """Yield each item of *iterable* limited to the range [*low*, *high*].

    With *strict*, an item outside the range raises ValueError instead.
    """
    if low > high:
        raise ValueError('low must not exceed high')
    for item in iterable:
        if strict and not (low <= item <= high):
            raise ValueError(f'{item!r} is outside [{low!r}, {high!r}]')
        if item < low:
            yield low
        elif item > high:
            yield high
        else:
            yield item
'''
# an edit inside an existing function: first() gets a clearer message
s = s.replace(
    "            raise ValueError(\n                'first() was called on an empty iterable, and no '\n                'default value was provided.'\n            ) from e",
    "            raise ValueError(\n                'first() was called on an empty iterable, and no '\n                'default value was provided (pass default=...).'\n            ) from e",
    1,
)
open(p, "w").write(s)
t = "tests/test_more.py"
open(t, "a").write('''

class ClampAllTests(TestCase):
    def test_clamps(self):
        self.assertEqual(list(mi.clamp_all([-5, 1, 9], 0, 5)), [0, 1, 5])
''')
PY
git -c user.name=bench -c user.email=bench@example.invalid commit -qam "add clamp_all (strict mode untested)"

measure() {
  mkdir -p ../out/$1
  # --- tests under coverage.py --------------------------------------------------------------
  "$PYTHON" -m coverage run --source=more_itertools -m pytest -q -p no:cacheprovider --junitxml=junit.xml tests > ../out/$1/pytest.txt 2>&1 || true
  tail -n 1 ../out/$1/pytest.txt
  "$PYTHON" -m coverage xml -q -o coverage.xml
  "$PYTHON" -m coverage json -q -o coverage.json
  "$PYTHON" -m coverage lcov -q -o coverage.lcov

  # --- diff-cover ---------------------------------------------------------------------------
  "$bindir/diff-cover" coverage.xml --compare-branch=main --json-report ../out/$1/diffcover-xml.json --markdown-report ../out/$1/diffcover.md > ../out/$1/diffcover.txt || true
  "$bindir/diff-cover" coverage.lcov --compare-branch=main --json-report ../out/$1/diffcover-lcov.json > /dev/null 2>&1 || echo "diff-cover could not read LCOV" > ../out/$1/diffcover-lcov.json

  # --- rigor gate: every output format --------------------------------------------------------
  set +e
  "$RIGOR" gate --coverage coverage.xml --junit junit.xml --base main --no-record \
    --markdown-out ../out/$1/gate.md --json-out ../out/$1/gate.json --junit-out ../out/$1/gate-junit.xml \
    --sarif-out ../out/$1/gate.sarif --gitlab-out ../out/$1/gate-codequality.json > ../out/$1/gate-table.txt
  code=$?
  "$RIGOR" gate --coverage coverage.xml --junit junit.xml --base main --no-record --format github > ../out/$1/gate-github.txt
  "$RIGOR" gate --coverage coverage.json --base main --no-record --no-run --format json > ../out/$1/gate-from-json.json
  "$RIGOR" gate --coverage coverage.lcov --base main --no-record --no-run --format json > ../out/$1/gate-from-lcov.json
  set -e
  echo "rigor gate exit code: $code (1 = a blocking gate failed)"

  # --- side by side -------------------------------------------------------------------------
  cd ../out/$1
  "$PYTHON" - "$pkg" "$ver" "$1" <<'PY'
import json, sys
pkg, ver, scenario = sys.argv[1:4]
def rigor(path):
    r = json.load(open(path))
    ch = r["coverage"]["changed"]
    return ch, {f["path"]: f for f in ch["files"]}
def dc(path):
    try:
        d = json.load(open(path))
    except Exception:
        return None
    return d
rows = []
for label, dcf, rf in [("Cobertura XML", "diffcover-xml.json", "gate.json"),
                       ("LCOV", "diffcover-lcov.json", "gate-from-lcov.json"),
                       ("coverage.py JSON", None, "gate-from-json.json")]:
    ch, files = rigor(rf)
    d = dc(dcf) if dcf else None
    for path, f in sorted(files.items()):
        rmiss = f["uncovered_lines"]
        if d:
            s = d["src_stats"].get(path)
            dmiss = s["violation_lines"] if s else None
            dmeas = (len(s["covered_lines"]) + len(s["violation_lines"])) if s else None
            dpct = s["percent_covered"] if s else None
        else:
            dmiss = dmeas = dpct = None
        rows.append((label, path, f["measured"], dmeas, f["percent"], dpct, rmiss, dmiss))
    rows.append((label, "TOTAL", ch["measured"], d["total_num_lines"] if d else None, ch["percent"],
                 d["total_percent_covered"] if d else None, ch["measured"] - ch["covered"],
                 d["total_num_violations"] if d else None))
print(f"\nchanged-line coverage of {pkg} {ver}, scenario {scenario}: rigor vs diff-cover")
print("| input | file | measured (rigor) | measured (diff-cover) | covered % (rigor) | covered % (diff-cover) | missing lines (rigor) | missing lines (diff-cover) |")
print("|---|---|---|---|---|---|---|---|")
same = True
for label, path, rm, dm, rp, dp, rmiss, dmiss in rows:
    fmt = lambda v: "n/a" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
    miss = lambda v: "n/a" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v))
    print(f"| {label} | {path} | {rm} | {fmt(dm)} | {fmt(rp)} | {fmt(dp)} | {miss(rmiss)} | {miss(dmiss)} |")
    if dm is not None:
        # diff-cover's total percent is truncated to an integer; compare counts and lines exactly
        same &= rm == dm and (rmiss == dmiss) and (int(rp) == int(dp) if path == "TOTAL" else abs(rp - dp) < 0.01)
overall = {label: json.load(open(rf))["coverage"] for label, rf in
           [("Cobertura XML", "gate.json"), ("LCOV", "gate-from-lcov.json"), ("coverage.py JSON", "gate-from-json.json")]}
for label, c in overall.items():
    print(f"overall line coverage from {label}: {c['covered']}/{c['measured']} = {c['percent']:.2f}%")
same &= len({(c["covered"], c["measured"]) for c in overall.values()}) == 1
print("\nrigor and diff-cover agree, and the three formats give the same overall coverage:", "yes" if same else "NO")
sys.exit(0 if same else 1)
PY
    cd ../../project
}

# scenario 1: the committed change
measure committed
# scenario 2: plus an unstaged edit in another module (an uncovered new recipe, an edited line)
"$PYTHON" - <<'PY'
p = "more_itertools/recipes.py"
s = open(p).read()
s = s.replace("def take(n, iterable):\n", "def take(n, iterable):\n    n = int(n)\n", 1)
s += '''

def take_last(n, iterable):
    """Return the last *n* items of *iterable* as a list (untested)."""
    if n <= 0:
        return []
    return list(iterable)[-n:]
'''
open(p, "w").write(s)
PY
measure worktree
cd ../out/worktree
echo
echo "== rigor gate (terminal) =="; cat gate-table.txt
echo "== GitHub annotations =="; cat gate-github.txt
echo "== Markdown =="; cat gate.md
echo "== SARIF results =="; "$PYTHON" -c "import json;d=json.load(open('gate.sarif'));[print(r['level'], r['locations'][0]['physicalLocation']['artifactLocation']['uri'], r['locations'][0]['physicalLocation']['region'], r['message']['text']) for r in d['runs'][0]['results']]"
echo "== GitLab code quality =="; "$PYTHON" -c "import json;[print(i['severity'], i['location'], i['description']) for i in json.load(open('gate-codequality.json'))]"
echo "== JUnit =="; grep -o '<testcase [^>]*>\|<failure message="[^"]*"\|<skipped message="[^"]*"' gate-junit.xml
echo "== diff-cover =="; cat diffcover.txt
