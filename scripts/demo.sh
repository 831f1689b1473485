#!/usr/bin/env bash
# rigor's main job on a real suite: the pytest suite of a pinned PyPI project, with the embedded
# SQLite history. Sets up what it needs (a venv with pinned pytest, the project's sdist).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
proj=$(fetch_sdist more-itertools 10.5.0)
echo "== rigor run on $proj (first run: runner order)"
(cd "$proj" && RIGOR_PYTHON_INTERPRETER="$PY" "$RIGOR" run -j 2) || true
echo "== second run: longest-first from the recorded durations"
(cd "$proj" && RIGOR_PYTHON_INTERPRETER="$PY" "$RIGOR" run -j 2 --junit "$WORK/junit.xml") || true
echo "== rigor history"
(cd "$proj" && "$RIGOR" history && "$RIGOR" history --slowest -n 5)
echo "JUnit written to $WORK/junit.xml; history in $proj/.rigor/history.db"
