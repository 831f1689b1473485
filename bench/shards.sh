#!/usr/bin/env bash
# Shard balance (issue: tiers, shards): on durations recorded from real suites, the largest shard
# for N = 2, 4, 8 divided by the lower bound max(longest test, total / N), for
#   - rigor's LPT (`rigor plan --shards N --format json`),
#   - cargo nextest's `--partition hash:K/N` and `--partition slice:K/N` (membership from nextest itself),
#   - pytest-split's `least_duration` (membership from pytest-split itself),
# all evaluated on the same durations (rigor's history).
# Usage: bench/shards.sh
source "$(dirname "$0")/common.sh"
"$VENV/bin/pip" install --quiet --disable-pip-version-check pytest-split==0.10.0

proj=$(fetch_sdist more-itertools 10.5.0)
crate=$(fetch_crate regex-syntax 0.8.5)

echo "== recording durations (3 runs each)"
for i in 1 2 3; do
  (cd "$proj" && RIGOR_PYTHON_INTERPRETER="$PY" "$RIGOR" run -j 2 >/dev/null 2>&1) || true
  (cd "$crate" && "$RIGOR" run -j 2 >/dev/null 2>&1) || true
done

"$PY" "$BENCH_DIR/shards.py" "$RIGOR" "$PY" "$proj" "$crate"
