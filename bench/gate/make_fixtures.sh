#!/usr/bin/env bash
# Regenerate rigor-gate's real-tool fixtures (small files checked into
# crates/rigor-gate/tests/fixtures/real): coverage.py JSON / Cobertura / LCOV, pytest JUnit
# (xunit1, xunit2), cargo nextest JUnit with flaky and rerun elements.
# Needs: python3 with pytest and coverage (see bench/gate/requirements.txt), cargo-nextest.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../crates/rigor-gate/tests/fixtures/real"
py="${PYTHON:-python3}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp -r "$here/pyfixture/." "$work/py"
cd "$work/py"
"$py" -m coverage run --source=. -m pytest -q -p no:cacheprovider -o junit_family=xunit1 --junitxml="$out/pytest-xunit1.xml" tests || true
"$py" -m pytest -q -p no:cacheprovider -o junit_family=xunit2 --junitxml="$out/pytest-xunit2.xml" tests || true
"$py" -m coverage json -o "$out/coveragepy.json"
"$py" -m coverage xml -o "$out/coveragepy.xml"
"$py" -m coverage lcov -o "$out/coveragepy.lcov"
# the fixtures must not depend on this temp dir: Cobertura's <source> is absolute
sed -i "s#$work/py#/project#g" "$out/coveragepy.xml"
sed -i "s#$work/py/##g" "$out/coveragepy.lcov"

cp -r "$here/nextest-fixture/." "$work/rs"
cd "$work/rs"
RIGOR_FLAKY_ID="$$-$RANDOM" CARGO_TARGET_DIR="$work/rs/target" cargo nextest run --no-fail-fast --run-ignored all >/dev/null 2>&1 || true
cp target/nextest/default/junit.xml "$out/nextest.xml"
echo "fixtures written to $out"

# rigor's own perf analyzer on hyperfine-shaped samples (a 25 % slowdown of one command)
if [[ -n "${RIGOR:-}" ]]; then
  mkdir -p "$work/perf" && cd "$work/perf"
  "$py" - <<'PY'
import json, random
random.seed(1)
def hf(mu):
    ts = [random.gauss(mu, mu * 0.01) for _ in range(20)]
    return {"results": [
        {"command": "parse big file", "mean": sum(ts) / 20, "stddev": 0.01, "median": sorted(ts)[10], "user": 0.1,
         "system": 0.01, "min": min(ts), "max": max(ts), "times": ts, "exit_codes": [0] * 20},
        {"command": "startup", "mean": 0.05, "stddev": 0.001, "median": 0.05, "user": 0.01, "system": 0.0,
         "min": 0.049, "max": 0.051, "times": [random.gauss(0.05, 0.0005) for _ in range(20)], "exit_codes": [0] * 20}]}
json.dump(hf(1.0), open("base.json", "w"))
json.dump(hf(1.25), open("cur.json", "w"))
PY
  "$RIGOR" perf compare --baseline-file base.json --current-file cur.json --format json --no-alerts -o "$out/perf-compare.json" || true
fi
