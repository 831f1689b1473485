#!/usr/bin/env bash
# rigor audit on Python requirements vs an independent computation with `packaging` over the
# same PyPA advisory snapshot.
#
# The requirement set is drawn from the snapshot itself: 500 distinct PyPI projects, each pinned
# at a real release named by an advisory (listed affected versions, fixed versions, and the
# release just before a fix), spelled with mixed case and separators to exercise name
# normalisation. The oracle (oracle_python.py) reads the YAML with PyYAML and evaluates OSV
# ranges and version lists with packaging.version; findings are compared per (package,
# version) as sets of advisory ids. Then wall times (median of ROUNDS).
# Usage: bench/audit/python.sh [ROUNDS]
set -euo pipefail
ROUNDS="${1:-7}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$ROOT/bench/work/audit"
DATA="${RIGOR_ADVISORIES:-$ROOT/../shared/data/advisories}"
mkdir -p "$WORK"

RIGOR="${RIGOR:-$ROOT/target/release/rigor}"
if [ ! -x "$RIGOR" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p rigor-cli)
fi
VENV="$WORK/venv-oracle"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check packaging==24.2 PyYAML==6.0.2
fi

DB_TMP="$(mktemp -d)"
trap 'rm -rf "$DB_TMP"' EXIT
tar xzf "$DATA/pypa-advisory-database.tar.gz" -C "$DB_TMP"
DB="$DB_TMP/pypa-advisory-database"

PROJ="$WORK/probe-python"
mkdir -p "$PROJ"
"$VENV/bin/python" "$HERE/make_requirements.py" "$DB" 500 > "$PROJ/requirements.txt"
echo "requirements: $(grep -c '==' "$PROJ/requirements.txt") pinned lines"

cd "$PROJ"
"$RIGOR" audit --db "$DB" --file requirements.txt --format json > "$WORK/rigor-python.json" || true
"$VENV/bin/python" "$HERE/oracle_python.py" "$DB" requirements.txt > "$WORK/oracle-python.json"
python3 "$HERE/compare_python.py" "$WORK/oracle-python.json" "$WORK/rigor-python.json"

echo
echo "wall time, median of $ROUNDS alternating runs (500 requirements, full PyPA snapshot):"
python3 "$HERE/timing.py" "$ROUNDS" \
  "python oracle (packaging)" "$VENV/bin/python $HERE/oracle_python.py $DB requirements.txt" \
  "rigor audit" "$RIGOR audit --db $DB --file requirements.txt --format json"
