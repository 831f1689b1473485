#!/usr/bin/env bash
# rigor mutate vs mutmut 3 on a real PyPI package, side by side on the same machine and files.
#
# Project: semver 3.1.1 (sdist, pure Python, pytest suite). Both tools get the same copy of the
# project with the same plain pytest configuration (the sdist's .pytest.ini needs pytest-cov and
# doctests of the docs; both are dropped for both tools) and the same files to mutate:
# src/semver/ without cli.py and __main__.py. tests/test_pysemver-cli.py is removed for both:
# its parametrized context managers can be entered once only, and mutmut runs the suite twice
# in one process (its clean run then fails). Both run with 2 workers.
#
# Measures: wall time, mutants per minute, verdict agreement on comparable mutants (same file,
# line and operator kind; bench/mutate/compare_mutmut.py), and a diff-scoped rigor run for a
# ~20-line change. Usage: bench/mutate_python.sh  (RIGOR=path/to/rigor to use another binary)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${RIGOR:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/bench-target-mutate}"
  (cd "$HERE/.." && cargo build --release --quiet -p rigor-cli)
  export RIGOR="$CARGO_TARGET_DIR/release/rigor"
fi
export RIGOR_NO_BUILD=1
source "$HERE/common.sh"

NAME=semver VERSION=3.1.1 MUTMUT=3.8.1 JOBS=2
SRC=$(fetch_sdist "$NAME" "$VERSION")
MVENV="$WORK/mutmut-venv"
if [ ! -x "$MVENV/bin/mutmut" ]; then
  python3 -m venv "$MVENV"
  "$MVENV/bin/pip" install --quiet --disable-pip-version-check "mutmut==$MUTMUT" pytest==8.3.4 packaging==26.4
fi
OUT="$WORK/mutate"
rm -rf "$OUT" && mkdir -p "$OUT"

prepare() { # DIR
  cp -r "$SRC" "$1"
  rm -f "$1/.pytest.ini" "$1/tests/test_pysemver-cli.py"
  printf '[pytest]\ntestpaths = tests\npythonpath = src tests\nfilterwarnings =\n    ignore::DeprecationWarning\n    ignore::PendingDeprecationWarning\n' > "$1/pytest.ini"
}

# ---------------------------------------------------------------- mutmut
prepare "$OUT/mutmut"
printf '\n[tool.mutmut]\nsource_paths = ["src/semver/"]\npytest_add_cli_args_test_selection = ["tests/"]\nalso_copy = ["tests/", "pytest.ini"]\ndo_not_mutate = ["src/semver/cli.py", "src/semver/__main__.py"]\n' >> "$OUT/mutmut/pyproject.toml"
echo "mutmut $MUTMUT on $NAME $VERSION ($JOBS workers)…" >&2
t0=$(now)
(cd "$OUT/mutmut" && "$MVENV/bin/mutmut" run --max-children "$JOBS" > "$OUT/mutmut.log" 2>&1) || { tail -20 "$OUT/mutmut.log"; exit 1; }
t_mutmut=$(echo "$(now) - $t0" | bc)

# ---------------------------------------------------------------- rigor
prepare "$OUT/rigor"
cat > "$OUT/rigor/rigor.toml" <<TOML
[[suite]]
name = "python"
kind = "pytest"

[python]
interpreter = "$MVENV/bin/python"

[mutate]
paths = ["src/semver"]
exclude = ["src/semver/cli.py", "src/semver/__main__.py"]
TOML
(cd "$OUT/rigor" && git init -q -b main && git add -A && git -c user.name=b -c user.email=b@example.invalid commit -qm base)
echo "rigor mutate on $NAME $VERSION ($JOBS workers)…" >&2
t0=$(now)
(cd "$OUT/rigor" && "$RIGOR" mutate --fresh --jobs "$JOBS" --format json --output "$OUT/stryker.json" > "$OUT/rigor.json" 2> "$OUT/rigor.log")
t_rigor=$(echo "$(now) - $t0" | bc)

# ---------------------------------------------------------------- a ~20-line change
python3 - "$OUT/rigor/src/semver/version.py" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
start = s.index("        def prerelease_key(identifier: str)")
end = s.index("        return _cmp(len(a_parts), len(b_parts))")
new = '''        def prerelease_key(identifier: str) -> tuple[int, int, str]:
            if identifier.isdigit():
                if not identifier.isascii():
                    identifier = str(int(identifier))
                digits = identifier.lstrip("0")
                if not digits:
                    digits = "0"
                return (0, len(digits), digits)
            return (1, 0, identifier)

        a_parts = [prerelease_key(part) for part in (a or "").split(".")]
        b_parts = [prerelease_key(part) for part in (b or "").split(".")]
        index = 0
        while index < min(len(a_parts), len(b_parts)):
            result = _cmp(a_parts[index], b_parts[index])
            if result:
                return result
            index += 1
'''
open(p, "w").write(s[:start] + new + s[end:])
PY
changed=$(cd "$OUT/rigor" && git diff --numstat | awk '{print $1 "+/" $2 "-"}')
t0=$(now)
(cd "$OUT/rigor" && "$RIGOR" mutate --diff --base HEAD --jobs "$JOBS" --format json > "$OUT/rigor-diff.json" 2> "$OUT/rigor-diff.log")
t_diff=$(echo "$(now) - $t0" | bc)

# ---------------------------------------------------------------- report
python3 "$HERE/mutate/compare_mutmut.py" "$OUT/rigor.json" "$OUT/mutmut" > "$OUT/compare.json"
python3 - "$OUT" "$t_rigor" "$t_mutmut" "$t_diff" "$changed" "$NAME $VERSION" "$MUTMUT" <<'PY'
import json, sys
out, t_rigor, t_mutmut, t_diff, changed, project, mutmut = sys.argv[1:]
t_rigor, t_mutmut, t_diff = float(t_rigor), float(t_mutmut), float(t_diff)
r = json.load(open(f"{out}/rigor.json"))
c = json.load(open(f"{out}/compare.json"))
d = json.load(open(f"{out}/rigor-diff.json"))
n_r, n_m = r["summary"]["mutants"], c["mutmut_mutants"]
print(f"project: {project}; mutmut {mutmut}; 2 workers each")
print(f"{'tool':<8} {'mutants':>8} {'wall s':>8} {'mutants/min':>12} {'score %':>8}")
print(f"{'rigor':<8} {n_r:>8} {t_rigor:>8.1f} {60 * n_r / t_rigor:>12.0f} {r['summary']['score']:>8.1f}")
print(f"{'mutmut':<8} {n_m:>8} {t_mutmut:>8.1f} {60 * n_m / t_mutmut:>12.0f} {'':>8}")
print(f"speed (mutants/min) rigor/mutmut: {(n_r / t_rigor) / (n_m / t_mutmut):.2f}x; wall mutmut/rigor: {t_mutmut / t_rigor:.2f}x")
print(f"agreement on comparable mutants: {c['agreeing_keys']}/{c['comparable_keys']} = {c['agreement_pct']}%")
for x in c["disagreements"]:
    print(f"  differs: {x}")
print(f"diff-scoped run ({changed} lines in version.py): {d['summary']['mutants']} mutants in {t_diff:.1f}s, score {d['summary']['score']}")
PY
