#!/usr/bin/env bash
# What recording the per-test coverage map costs (issue 10, item 2): the same full `rigor run`
# with the map off, recorded by rigor's block probes (the default) and recorded by coverage.py's
# line tracer (`map_recorder = "coverage"`), alternating, on a real project: more-itertools
# 10.5.0 (default), click 8.1.7 or python-dateutil 2.9.0.post0. Prints the medians of wall time
# and of CPU time (rigor and its workers: user + system), and each recorder's ratio to "off".
#   bench/map_overhead.sh [ROUNDS] [more-itertools|click|python-dateutil]
source "$(dirname "$0")/common.sh"
ROUNDS="${1:-5}"
PROJECT="${2:-more-itertools}"
"$VENV/bin/pip" install --quiet --disable-pip-version-check coverage==7.6.10
case "$PROJECT" in
  more-itertools) src=$(fetch_sdist more-itertools 10.5.0); ARGS='"tests"' ;;
  click) src=$(fetch_sdist click 8.1.7); ARGS='"-o", "pythonpath=src", "tests"' ;;
  python-dateutil)
    src=$(fetch_sdist python-dateutil 2.9.0.post0)
    "$VENV/bin/pip" install --quiet --disable-pip-version-check six==1.16.0 freezegun==1.5.1 hypothesis==6.112.0
    ARGS='"-o", "pythonpath=src", "-W", "ignore::pytest.PytestUnknownMarkWarning", "tests"' ;;
  *) echo "unknown project $PROJECT (more-itertools, click, python-dateutil)" >&2; exit 2 ;;
esac
proj="$WORK/map-overhead-$PROJECT"
rm -rf "$proj" && cp -r "$src" "$proj"
cd "$proj"
printf '[[suite]]\nname = "python"\nkind = "pytest"\nargs = [%s]\n' "$ARGS" > rigor.toml
printf '.rigor/\n__pycache__/\n.pytest_cache/\n.hypothesis/\n' > .gitignore
git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -q -m "$PROJECT"
export RIGOR_PYTHON_INTERPRETER="$PY"
"$RIGOR" run -j 2 >/dev/null 2>&1 || true   # warm: bytecode caches, history

# One run: "wall cpu" in seconds (CPU of rigor and every process it waited for).
measure() {
  "$PY" - "$@" <<'EOF'
import resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t0
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(f"{wall:.3f} {cpu:.3f}")
EOF
}
times="$WORK/map-overhead-$PROJECT.times"
: > "$times"
for _ in $(seq "$ROUNDS"); do
  echo "off $(RIGOR_SELECT_COVERAGE_MAP=off measure "$RIGOR" run -j 2)" >> "$times"
  echo "probes $(RIGOR_SELECT_MAP_RECORDER=probes measure "$RIGOR" run -j 2)" >> "$times"
  echo "coverage $(RIGOR_SELECT_MAP_RECORDER=coverage measure "$RIGOR" run -j 2)" >> "$times"
done
med() { grep "^$1 " "$times" | cut -d' ' -f"$2" | median; }
off_w=$(med off 2); off_c=$(med off 3)
echo "== $PROJECT: full rigor run -j 2, medians of $ROUNDS alternating rounds (load $(cut -d' ' -f1 /proc/loadavg))"
printf '   %-22s %8s %8s %12s %12s\n' recorder "wall s" "cpu s" "wall ratio" "cpu ratio"
for r in off probes coverage; do
  w=$(med "$r" 2); c=$(med "$r" 3)
  printf '   %-22s %8.2f %8.2f %12.2f %12.2f\n' "$r" "$w" "$c" "$(echo "$w / $off_w" | bc -l)" "$(echo "$c / $off_c" | bc -l)"
done
"$RIGOR" run -j 2 2>&1 >/dev/null | grep "coverage map of suite" || true
