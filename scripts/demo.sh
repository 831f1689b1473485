#!/usr/bin/env bash
# rigor's main job on a real suite: the pytest suite of a pinned PyPI project (more-itertools
# 10.5.0), with the embedded SQLite history. Sets up what it needs (a venv with pinned pytest,
# the project's sdist, a release build of rigor).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
proj=$(fetch_sdist more-itertools 10.5.0)
cd "$proj"
export RIGOR_PYTHON_INTERPRETER="$PY"
echo "== rigor run (first run: the runner's order; records durations)"
"$RIGOR" run -j 2 || true
echo
echo "== rigor ci --all: tiers in order (stop at the first failing), history, gates, reports"
"$RIGOR" ci -j 2 --all --junit "$WORK/junit.xml" || true
echo
echo "== rigor history"
"$RIGOR" history
"$RIGOR" history --slowest -n 5
echo "JUnit: $WORK/junit.xml; history: $proj/.rigor/history.db"
