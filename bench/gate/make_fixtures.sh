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
