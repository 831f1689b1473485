#!/usr/bin/env bash
# Each toxic of `rigor chaos serve` measured on loopback: added latency at the median, bandwidth,
# reset/timeout timing, limit_data bytes, slow_close, slicer pieces, and the proxy's own cost
# against a direct connection. Toxiproxy itself is not run side by side: it is a Go program
# that is neither in Debian nor installable here without a Go toolchain (docs/release.md).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
RIGOR="${RIGOR:-$ROOT/target/release/rigor}"
if [ ! -x "$RIGOR" ] || [ -z "${RIGOR_NO_BUILD:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p rigor-cli)
fi
LOG=$(mktemp)
"$RIGOR" chaos serve --addr 127.0.0.1:0 2>"$LOG" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 50); do grep -q "http://" "$LOG" && break; sleep 0.1; done
ADDR=$(grep -o 'http://[^ ]*' "$LOG" | head -1 | sed 's#http://##')
echo "rigor $("$RIGOR" --version | awk '{print $2}') chaos API on $ADDR"
python3 "$BENCH_DIR/chaos.py" "$ADDR"
