#!/usr/bin/env bash
# rigor mutate vs cargo-mutants on a real crate, side by side on the same machine and files.
#
# Project: semver 1.0.23 (pure Rust, no dependencies, unit tests and four integration-test
# targets), fetched through cargo by pinned version. File mutated by both tools: src/eval.rs
# (FILE=… to change). Both run the same tests: `cargo test --tests` (libtest unit and
# integration tests; doctests are left out for both, rigor does not run doctests) with 2 jobs,
# both from a cold build directory of their own.
#
# Measures: wall time, mutants per minute, verdict agreement on comparable mutants (same file,
# line and column and the same replacement; return values by function and value;
# bench/mutate/compare_cargo_mutants.py), and a diff-scoped rigor run for a ~20-line change.
# cargo-mutants is installed with `cargo install cargo-mutants --locked --root $TOOLS` when
# missing (a build of a few minutes). Usage: bench/mutate_rust.sh (RIGOR=path/to/rigor).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${RIGOR:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/bench-target-rustmut}"
  (cd "$HERE/.." && nice -n 10 cargo build --release --quiet -p rigor-cli)
  export RIGOR="$CARGO_TARGET_DIR/release/rigor"
fi
unset CARGO_TARGET_DIR
export RIGOR_NO_BUILD=1
source "$HERE/common.sh"

NAME=semver VERSION=1.0.23 CM_VERSION=27.1.0 JOBS=2
FILE="${FILE:-src/eval.rs}"
TOOLS="${TOOLS:-/work/tools}"
CM="$TOOLS/bin/cargo-mutants"
if [ ! -x "$CM" ]; then
  nice -n 10 cargo install cargo-mutants --version "$CM_VERSION" --locked --root "$TOOLS"
fi
mkdir -p "$WORK/src"
SRC=$(fetch_crate "$NAME" "$VERSION")
OUT="$WORK/mutate-rust"
rm -rf "$OUT" && mkdir -p "$OUT"

# ---------------------------------------------------------------- cargo-mutants
cp -r "$SRC" "$OUT/cm"
echo "cargo-mutants $CM_VERSION on $NAME $VERSION $FILE ($JOBS jobs)…" >&2
t0=$(now)
(cd "$OUT/cm" && nice -n 10 "$CM" mutants -f "$FILE" -j "$JOBS" --no-shuffle \
  --cargo-test-arg=--tests -o "$OUT/cm-out" > "$OUT/cm.log" 2>&1) || true
t_cm=$(echo "$(now) - $t0" | bc)
[ -f "$OUT/cm-out/mutants.out/outcomes.json" ] || { tail -20 "$OUT/cm.log"; exit 1; }

# ---------------------------------------------------------------- rigor
cp -r "$SRC" "$OUT/rigor"
(cd "$OUT/rigor" && git init -q -b main && git add -A && git -c user.name=b -c user.email=b@example.invalid commit -qm base)
echo "rigor mutate on $NAME $VERSION $FILE ($JOBS jobs)…" >&2
t0=$(now)
(cd "$OUT/rigor" && nice -n 10 "$RIGOR" mutate --fresh --jobs "$JOBS" --file "$FILE" --format json \
  --output "$OUT/stryker.json" > "$OUT/rigor.json" 2> "$OUT/rigor.log")
t_rigor=$(echo "$(now) - $t0" | bc)

# ---------------------------------------------------------------- a ~20-line change
# matches_caret rewritten with the same behaviour in a different shape (early returns instead
# of nested conditions), so its lines count as changed.
python3 - "$OUT/rigor/src/eval.rs" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
start = s.index("fn matches_caret(cmp: &Comparator, ver: &Version) -> bool {")
end = s.index("fn pre_is_compatible(")
new = '''fn matches_caret(cmp: &Comparator, ver: &Version) -> bool {
    if ver.major != cmp.major {
        return false;
    }
    let Some(minor) = cmp.minor else {
        return true;
    };
    let Some(patch) = cmp.patch else {
        if cmp.major > 0 {
            return ver.minor >= minor;
        }
        return ver.minor == minor;
    };
    if cmp.major > 0 {
        if ver.minor != minor {
            return ver.minor > minor;
        }
        if ver.patch != patch {
            return ver.patch > patch;
        }
    } else if minor > 0 {
        if ver.minor != minor {
            return false;
        }
        if ver.patch != patch {
            return ver.patch > patch;
        }
    } else if ver.minor != minor || ver.patch != patch {
        return false;
    }
    ver.pre >= cmp.pre
}

'''
open(p, "w").write(s[:start] + new + s[end:])
PY
changed=$(cd "$OUT/rigor" && git diff --numstat | awk '{print $1 "+/" $2 "-"}')
t0=$(now)
(cd "$OUT/rigor" && nice -n 10 "$RIGOR" mutate --diff --base HEAD --jobs "$JOBS" --format json > "$OUT/rigor-diff.json" 2> "$OUT/rigor-diff.log")
t_diff=$(echo "$(now) - $t0" | bc)
(cd "$OUT/rigor" && cargo test --tests --quiet > "$OUT/diff-tests.log" 2>&1) || { echo "the rewritten matches_caret fails the suite:"; tail -20 "$OUT/diff-tests.log"; exit 1; }

# ---------------------------------------------------------------- report
python3 "$HERE/mutate/compare_cargo_mutants.py" "$OUT/rigor.json" "$OUT/cm-out/mutants.out/outcomes.json" > "$OUT/compare.json"
python3 - "$OUT" "$t_rigor" "$t_cm" "$t_diff" "$changed" "$NAME $VERSION" "$CM_VERSION" "$FILE" <<'PY'
import json, sys
out, t_rigor, t_cm, t_diff, changed, project, cm, file = sys.argv[1:]
t_rigor, t_cm, t_diff = float(t_rigor), float(t_cm), float(t_diff)
r = json.load(open(f"{out}/rigor.json"))
c = json.load(open(f"{out}/compare.json"))
d = json.load(open(f"{out}/rigor-diff.json"))
n_r, n_c = r["summary"]["mutants"], c["cm_mutants"]
print(f"project: {project} {file}; cargo-mutants {cm}; 2 jobs each")
print(f"{'tool':<14} {'mutants':>8} {'wall s':>8} {'mutants/min':>12} {'score %':>8}")
print(f"{'rigor':<14} {n_r:>8} {t_rigor:>8.1f} {60 * n_r / t_rigor:>12.0f} {r['summary']['score']:>8.1f}")
print(f"{'cargo-mutants':<14} {n_c:>8} {t_cm:>8.1f} {60 * n_c / t_cm:>12.0f} {c['cm_score']:>8.1f}")
print(f"speed (mutants/min) rigor/cargo-mutants: {(n_r / t_rigor) / (n_c / t_cm):.2f}x; wall cargo-mutants/rigor: {t_cm / t_rigor:.2f}x")
print(f"agreement on comparable mutants: {c['agreeing']}/{c['comparable']} = {c['agreement_pct']}%")
for x in c["disagreements"]:
    print(f"  differs: {x}")
s = d["summary"]
print(f"diff-scoped run ({changed} lines in {file}): {s['mutants']} mutants in {t_diff:.1f}s, score {s['score']}")
PY
