# Shared setup for rigor's benchmarks: a venv with pinned tools and pinned real projects.
# Sourced by the bench scripts; everything goes under bench/work/ (not committed).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
WORK="$BENCH_DIR/work"
mkdir -p "$WORK"
VENV="$WORK/venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pytest==8.3.4 pytest-xdist==3.6.1
fi
PY="$VENV/bin/python"

# The rigor binary under test (release build).
RIGOR="${RIGOR:-$ROOT/target/release/rigor}"
if [ ! -x "$RIGOR" ] || [ -z "${RIGOR_NO_BUILD:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet -p rigor-cli)
fi

# fetch_sdist NAME VERSION → prints the unpacked directory
fetch_sdist() {
  local name="$1" version="$2" dir
  dir="$WORK/src/$name-$version"
  if [ ! -d "$dir" ]; then
    mkdir -p "$WORK/dl" "$WORK/src"
    "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-binary :all: --no-deps -d "$WORK/dl" "$name==$version"
    local archive
    archive=$(ls "$WORK"/dl/* | grep -i -E "${name//-/[-_]}-$version\.(tar\.gz|zip)$" | head -1)
    tar -xzf "$archive" -C "$WORK/src"
    local unpacked
    unpacked=$(ls -d "$WORK"/src/* | grep -i -E "/${name//-/[-_]}-$version$" | head -1)
    [ "$unpacked" = "$dir" ] || mv "$unpacked" "$dir"
  fi
  echo "$dir"
}

# fetch_crate NAME VERSION → prints the unpacked crate directory (through cargo's own client)
fetch_crate() {
  local name="$1" version="$2" probe="$WORK/crate-probe-$1"
  mkdir -p "$probe/src"
  printf '[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n[workspace]\n' "$name" "$version" > "$probe/Cargo.toml"
  touch "$probe/src/lib.rs"
  (cd "$probe" && cargo fetch --quiet)
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$name-$version" | head -1)
  local dest="$WORK/src/$name-$version"
  [ -d "$dest" ] || cp -r "$src" "$dest"
  echo "$dest"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2==1) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
