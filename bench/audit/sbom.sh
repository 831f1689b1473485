#!/usr/bin/env bash
# rigor sbom vs the CycloneDX project's own generators on the same projects: component counts,
# package URLs and schema validity, then wall times.
#
# Python: a probe environment with real pinned distributions (pip installs them by name and
# version into a bench venv); its `pip freeze` is the requirements file. cyclonedx-py
# (cyclonedx-bom, pinned) reads both the requirements file and the installed environment.
# Rust: the probe project of rust.sh with `cargo cyclonedx` when it is installed
# (CARGO_CYCLONEDX=path, e.g. from `cargo install cargo-cyclonedx --locked`); rigor's bill is
# cargo's resolved graph for the host (`cargo metadata --filter-platform`), as cargo-cyclonedx's.
# Usage: bench/audit/sbom.sh [ROUNDS]   (RIGOR=path/to/release/rigor to skip the build)
set -euo pipefail
ROUNDS="${1:-5}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$ROOT/bench/work/audit"
CYCLONEDX_BOM_VERSION=7.5.0
mkdir -p "$WORK"

RIGOR="${RIGOR:-$ROOT/target/release/rigor}"
if [ ! -x "$RIGOR" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p rigor-cli)
fi
TOOLS_VENV="$WORK/venv-cyclonedx"
if [ ! -x "$TOOLS_VENV/bin/cyclonedx-py" ]; then
  python3 -m venv "$TOOLS_VENV"
  "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check "cyclonedx-bom==$CYCLONEDX_BOM_VERSION"
fi
PY="$TOOLS_VENV/bin/python"
CDX="$TOOLS_VENV/bin/cyclonedx-py"

# The probe environment: real distributions at pinned versions (with their dependencies).
PROBE="$WORK/probe-sbom-python"
if [ ! -x "$PROBE/venv/bin/python" ]; then
  mkdir -p "$PROBE"
  python3 -m venv "$PROBE/venv"
  "$PROBE/venv/bin/pip" install --quiet --disable-pip-version-check \
    requests==2.25.1 Jinja2==2.11.2 Flask==1.1.2 Werkzeug==1.0.1 idna==2.10 \
    Django==3.1.5 sqlparse==0.4.1 PyJWT==1.7.1 urllib3==1.26.4 MarkupSafe==1.1.1
fi
"$PROBE/venv/bin/pip" freeze --all --exclude-editable > "$PROBE/requirements.txt"
echo "probe environment: $(grep -c '==' "$PROBE/requirements.txt") distributions (pip freeze --all)"

cd "$PROBE"
ok=0
"$CDX" requirements requirements.txt --of JSON --sv 1.6 -o "$WORK/cdx-req.json" 2>/dev/null
"$RIGOR" sbom --file requirements.txt -o "$WORK/rigor-req.json" 2>/dev/null
"$PY" "$HERE/compare_sbom.py" "requirements.txt (cyclonedx-py requirements)" "$WORK/cdx-req.json" "$WORK/rigor-req.json" || ok=1

"$CDX" environment "$PROBE/venv/bin/python" --of JSON --sv 1.6 -o "$WORK/cdx-env.json" 2>/dev/null
"$RIGOR" sbom --venv venv -o "$WORK/rigor-env.json" 2>/dev/null
"$PY" "$HERE/compare_sbom.py" "installed venv (cyclonedx-py environment)" "$WORK/cdx-env.json" "$WORK/rigor-env.json" || ok=1
echo "  licences: rigor $("$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for c in d['components'] if c.get('licenses')), 'of', len(d['components']))" "$WORK/rigor-env.json"), cyclonedx-py $("$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for c in d['components'] if c.get('licenses')), 'of', len(d['components']))" "$WORK/cdx-env.json") components with licences"

echo
echo "wall time, median of $ROUNDS alternating runs:"
"$PY" "$HERE/timing.py" "$ROUNDS" \
  "cyclonedx-py environment" "$CDX environment $PROBE/venv/bin/python --of JSON -o /dev/null" \
  "rigor sbom --venv" "$RIGOR sbom --venv $PROBE/venv -o /dev/null" \
  "cyclonedx-py requirements" "$CDX requirements $PROBE/requirements.txt --of JSON -o /dev/null" \
  "rigor sbom --file" "$RIGOR sbom --file $PROBE/requirements.txt -o /dev/null"

# Rust, when cargo-cyclonedx is installed.
CARGO_CYCLONEDX="${CARGO_CYCLONEDX:-$(command -v cargo-cyclonedx || true)}"
RPROBE="$WORK/probe-rust"
if [ -n "$CARGO_CYCLONEDX" ] && [ -f "$RPROBE/Cargo.lock" ]; then
  cd "$RPROBE"
  "$CARGO_CYCLONEDX" cyclonedx --format json --spec-version 1.5 --override-filename cdx-rust >/dev/null
  "$RIGOR" sbom --file Cargo.lock --spec 1.5 -o "$WORK/rigor-rust.json" 2>/dev/null
  "$PY" "$HERE/compare_sbom.py" "probe-rust Cargo.lock (cargo cyclonedx)" cdx-rust.json "$WORK/rigor-rust.json" || ok=1
  echo "  rigor --all-platforms (the whole lockfile): $("$RIGOR" sbom --file Cargo.lock --all-platforms 2>/dev/null | "$PY" -c "import json,sys; print(len(json.load(sys.stdin)['components']))") components"
  echo
  echo "wall time (Rust), median of $ROUNDS alternating runs:"
  "$PY" "$HERE/timing.py" "$ROUNDS" \
    "cargo cyclonedx" "$CARGO_CYCLONEDX cyclonedx --format json --spec-version 1.5 --override-filename cdx-timing" \
    "rigor sbom (host graph)" "$RIGOR sbom --file Cargo.lock --spec 1.5 -o /dev/null" \
    "rigor sbom --all-platforms" "$RIGOR sbom --file Cargo.lock --spec 1.5 --all-platforms -o /dev/null"
else
  echo "cargo-cyclonedx not installed (or bench/audit/rust.sh not run yet): the Rust comparison is skipped"
fi
exit $ok
