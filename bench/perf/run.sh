#!/usr/bin/env bash
# Side-by-side: Apache Otava vs `rigor perf detect` on the same Otava-layout CSV files.
# Usage: bench/perf/run.sh [SEEDS]        (RIGOR=path/to/rigor to skip the release build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/bench/work"
venv="$work/venv"
OTAVA_VERSION="0.8.0"
mkdir -p "$work"
if [ ! -x "$venv/bin/otava" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "apache-otava==$OTAVA_VERSION"
fi
if [ -z "${RIGOR:-}" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
  cargo build --release -p rigor-cli --manifest-path "$root/Cargo.toml" >&2
  RIGOR="$CARGO_TARGET_DIR/release/rigor"
fi
python3 "$here/bench.py" --rigor "$RIGOR" --otava "$venv/bin/otava" --work "$work/perf" --seeds "${1:-3}"
