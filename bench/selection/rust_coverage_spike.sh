#!/usr/bin/env bash
# Feasibility spike for per-test Rust coverage (issue 10 item 3; docs/selection.md, "Rust
# per-test coverage"): builds a crate's test binaries with `-C instrument-coverage`, runs every
# test of one binary in its own process with its own LLVM_PROFILE_FILE, reads each raw profile
# against the binary's coverage mapping with the llvm_profparser crate (pinned), and reports how
# many of the binary's tests cover each covered source line (the share a line change would select).
# Not a benchmark of rigor: `[select] rust_coverage` is not built yet.
# Usage: bench/selection/rust_coverage_spike.sh [CRATE VERSION TEST_BINARY]
#        (default: semver 1.0.23 test_version_req); CARGO_TARGET_DIR is honoured.
set -euo pipefail
CRATE="${1:-semver}"; VERSION="${2:-1.0.23}"; BIN="${3:-test_version_req}"
PARSER_VERSION=0.15.0
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(cd "$HERE/.." && pwd)/work/rust-coverage-spike"
TARGET="${CARGO_TARGET_DIR:-$WORK/target}"
mkdir -p "$WORK"

# The reader: a few lines over llvm_profparser's public API.
mkdir -p "$WORK/reader/src"
cat > "$WORK/reader/Cargo.toml" <<TOML
[package]
name = "covreader"
version = "0.0.0"
edition = "2021"
publish = false
[workspace]
[dependencies]
llvm_profparser = { version = "=$PARSER_VERSION", default-features = false }
TOML
cat > "$WORK/reader/src/main.rs" <<'RS'
// covreader BINARY PROFRAW FILTER: per source file whose path contains FILTER, the lines with a
// non-zero count (tab-separated, comma-joined).
use llvm_profparser::{parse, CoverageMapping};
use std::path::PathBuf;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let objects = [PathBuf::from(&args[1])];
    let profile = parse(&args[2]).unwrap_or_else(|e| { eprintln!("profile: {e:?}"); std::process::exit(1) });
    let mapping = CoverageMapping::new(&objects, &profile, false).unwrap_or_else(|e| { eprintln!("mapping: {e:?}"); std::process::exit(2) });
    let report = mapping.generate_report().unwrap_or_else(|e| { eprintln!("report: {e:?}"); std::process::exit(3) });
    for (path, res) in report.files.iter() {
        let p = path.to_string_lossy();
        if !p.contains(args[3].as_str()) { continue; }
        let hit: Vec<String> = (1..20_000).filter(|l| res.hits_for_line(*l).is_some_and(|h| h > 0)).map(|l| l.to_string()).collect();
        println!("{p}\t{}", hit.join(","));
    }
}
RS
(cd "$WORK/reader" && CARGO_TARGET_DIR="$TARGET" cargo build --release --quiet)
READER="$TARGET/release/covreader"

# The crate's sources, fetched by name and version with cargo.
SRC="$WORK/$CRATE-$VERSION"
if [ ! -d "$SRC" ]; then
  mkdir -p "$WORK/fetch/src"; : > "$WORK/fetch/src/lib.rs"
  printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[workspace]\n[dependencies]\n%s = "=%s"\n' "$CRATE" "$VERSION" > "$WORK/fetch/Cargo.toml"
  MANIFEST="$(cd "$WORK/fetch" && cargo metadata --format-version 1 | python3 -c "import json,sys; d=json.load(sys.stdin); print([p['manifest_path'] for p in d['packages'] if p['name']==sys.argv[1]][0])" "$CRATE")"
  cp -r "$(dirname "$MANIFEST")" "$SRC"
  printf '\n[workspace]\n' >> "$SRC/Cargo.toml"
fi
BINARY="$(cd "$SRC" && LLVM_PROFILE_FILE="$WORK/build-%p.profraw" RUSTFLAGS="-C instrument-coverage" CARGO_TARGET_DIR="$TARGET/instrumented" cargo test --no-run --message-format=json 2>/dev/null \
  | python3 -c "import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get('reason') == 'compiler-artifact' and m.get('executable') and m['target']['name'] == sys.argv[1]: print(m['executable'])" "$BIN")"
echo "rustc: $(rustc -vV | grep -E '^(release|LLVM)' | tr '\n' ' '); llvm_profparser $PARSER_VERSION; $CRATE $VERSION, binary $BIN"
python3 - "$BINARY" "$READER" "$SRC/src" "$WORK/profiles" <<'PY'
import collections, os, statistics, subprocess, sys, time
binary, reader, filt, profs = sys.argv[1:5]
os.makedirs(profs, exist_ok=True)
tests = [l[: -len(": test")] for l in subprocess.run([binary, "--list"], capture_output=True, text=True, env={**os.environ, "LLVM_PROFILE_FILE": os.path.join(profs, "list.profraw")}).stdout.splitlines() if l.endswith(": test")]
cover, run_s, read_s = {}, 0.0, 0.0
for t in tests:
    prof = os.path.join(profs, t.replace(":", "_") + ".profraw")
    t0 = time.time()
    subprocess.run([binary, "--exact", t, "-q"], env={**os.environ, "LLVM_PROFILE_FILE": prof}, capture_output=True)
    t1 = time.time()
    out = subprocess.run([reader, binary, prof, filt], capture_output=True, text=True)
    read_s += time.time() - t1; run_s += t1 - t0
    if out.returncode:
        sys.exit(f"the reader failed on {t}: {out.stderr.strip()}")
    cover[t] = {(f, int(x)) for row in out.stdout.splitlines() for f, _, ls in [row.partition("\t")] for x in ls.split(",") if x}
by_line = collections.Counter(l for s in cover.values() for l in s)
shares = [n / len(tests) for n in by_line.values()]
print(f"{len(tests)} tests; {len(by_line)} covered lines under src/; per test: run {run_s / len(tests) * 1000:.0f} ms, profile read {read_s / len(tests) * 1000:.0f} ms")
print(f"tests covering a covered line, share of the binary: median {statistics.median(shares):.1%}, mean {statistics.mean(shares):.1%}, max {max(shares):.1%} (per-binary selection: 100%)")
PY
