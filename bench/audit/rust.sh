#!/usr/bin/env bash
# rigor audit vs cargo-audit on the same RustSec snapshot and the same Cargo.lock.
#
# A probe project pins real crate versions with known advisories; cargo resolves its lockfile
# (by name and version, nothing is built). cargo-audit is installed with cargo into a
# bench-local root. Findings are compared one to one, then wall times (median of ROUNDS).
# Usage: bench/audit/rust.sh [ROUNDS]   (RIGOR=path/to/release/rigor to skip the build;
#        RIGOR_BENCH_TOOLS=DIR where cargo-audit is or goes, DIR/bin/cargo-audit)
set -euo pipefail
ROUNDS="${1:-7}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$ROOT/bench/work/audit"
DATA="${RIGOR_ADVISORIES:-$ROOT/../shared/data/advisories}"
CARGO_AUDIT_VERSION=0.22.2
mkdir -p "$WORK"

RIGOR="${RIGOR:-$ROOT/target/release/rigor}"
if [ ! -x "$RIGOR" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p rigor-cli)
fi

# cargo-audit, pinned, into a bench-local root (RIGOR_BENCH_TOOLS to share one install root).
TOOLS="${RIGOR_BENCH_TOOLS:-$ROOT/bench/work/tools}"
if [ ! -x "$TOOLS/bin/cargo-audit" ]; then
  cargo install --quiet cargo-audit --version "$CARGO_AUDIT_VERSION" --locked --root "$TOOLS"
fi

# The RustSec snapshot, unpacked afresh into a temporary directory.
DB_TMP="$(mktemp -d)"
trap 'rm -rf "$DB_TMP"' EXIT
tar xzf "$DATA/rustsec-advisory-db.tar.gz" -C "$DB_TMP"
DB="$DB_TMP/rustsec-advisory-db"

# The probe project: real versions with advisories (vulnerabilities and informational ones).
PROBE="$WORK/probe-rust"
mkdir -p "$PROBE/src"
: > "$PROBE/src/lib.rs"
cat > "$PROBE/Cargo.toml" <<'TOML'
[package]
name = "audit-probe"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
smallvec = "=0.6.10"
time = "=0.1.43"
chrono = "=0.4.19"
hyper = { version = "=0.14.9", features = ["full"] }
regex = "=1.5.4"
idna = "=0.5.0"
ring = "=0.16.20"
rsa = "=0.9.6"
atty = "=0.2.14"
tar = "=0.4.35"
crossbeam-channel = "=0.5.8"
serde_yaml = "=0.9.34"
openssl = "=0.10.55"
h2 = "=0.3.18"
tokio = { version = "=1.8.0", features = ["full"] }
rustls = "=0.20.0"
sqlite = "=0.26.0"
libgit2-sys = "=0.12.20"
TOML
[ -f "$PROBE/Cargo.lock" ] || (cd "$PROBE" && cargo generate-lockfile --quiet)

cd "$PROBE"
"$TOOLS/bin/cargo-audit" audit --db "$DB" --no-fetch --json --file Cargo.lock > "$WORK/cargo-audit.json" || true
"$RIGOR" audit --db "$DB" --file Cargo.lock --format json > "$WORK/rigor.json" || true

python3 "$HERE/compare_rust.py" "$WORK/cargo-audit.json" "$WORK/rigor.json"

echo
echo "wall time, median of $ROUNDS alternating runs (same lockfile, same snapshot):"
python3 "$HERE/timing.py" "$ROUNDS" \
  "cargo-audit $CARGO_AUDIT_VERSION" "$TOOLS/bin/cargo-audit audit --db $DB --no-fetch --json --file Cargo.lock" \
  "rigor audit" "$RIGOR audit --db $DB --file Cargo.lock --format json"
