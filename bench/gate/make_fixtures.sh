#!/usr/bin/env bash
# Regenerate rigor-gate's real-tool fixtures (small files checked into
# crates/rigor-gate/tests/fixtures/real): coverage.py JSON / Cobertura / LCOV, pytest JUnit
# (xunit1, xunit2), cargo nextest JUnit with flaky and rerun elements, ruff SARIF, pip-audit JSON,
# mutmut CI/CD stats, a Stryker report (needs npm), cargo-mutants outcomes (needs cargo-mutants), cargo-audit JSON (needs cargo-audit), and (with RIGOR=path/to/rigor) rigor's own perf comparison.
# Needs: python3 with bench/gate/requirements.txt installed, cargo-nextest.
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

# ruff's SARIF (lint errors and flake8-bandit security rules)
mkdir -p "$work/lint" && cd "$work/lint"
printf 'import os\nimport sys\n\n\ndef f(x):\n    if x == None:\n        return eval("1")\n    return undefined_name\n' > bad.py
"$py" -m ruff check --no-cache --select E,F,S --output-format sarif bad.py > "$out/ruff.sarif" || true
sed -i "s#file://$work/lint/#file:///project/#g" "$out/ruff.sarif"

# pip-audit's JSON (this machine reaches the package index only, not PyPI's vulnerability API,
# so the dependencies come back with skip reasons: the shape is real, the findings are not)
printf 'jinja2==2.10\nrequests==2.19.0\n' > req.txt
"$py" -m pip_audit -r req.txt --no-deps --disable-pip -f json -o "$out/pip-audit.json" >/dev/null 2>&1 || true

# mutmut's CI/CD stats
cp -r "$here/mutfixture/." "$work/mut"
cd "$work/mut"
PATH="$(dirname "$py"):$PATH" "$py" -m mutmut run >/dev/null 2>&1 || true
PATH="$(dirname "$py"):$PATH" "$py" -m mutmut export-cicd-stats >/dev/null 2>&1
cp mutants/mutmut-cicd-stats.json "$out/mutmut-cicd-stats.json"

# Stryker's mutation-testing-report JSON (npm registry: @stryker-mutator/core, command runner on
# node's built-in test runner)
if command -v npm >/dev/null; then
  cp -r "$here/stryker-fixture/." "$work/js"
  cd "$work/js"
  npm install --no-audit --no-fund --silent @stryker-mutator/core@9.4.0 >/dev/null 2>&1
  npx stryker run >/dev/null 2>&1 || true
  sed "s#$work/js#/project#g" reports/mutation/mutation.json > "$out/stryker-mutation.json"
fi

# cargo-mutants' outcomes.json (when cargo-mutants is installed: cargo install --locked cargo-mutants)
if command -v cargo-mutants >/dev/null; then
  cp -r "$here/mutants-fixture/." "$work/mutants"
  cd "$work/mutants"
  CARGO_TARGET_DIR="$work/mutants/target" cargo mutants -j 1 >/dev/null 2>&1 || true
  sed "s#$work/mutants#/project#g" mutants.out/outcomes.json > "$out/cargo-mutants-outcomes.json"
fi

# cargo-audit's JSON against a local advisory database (this machine cannot fetch RustSec's):
# two RustSec advisories transcribed into bench/gate/audit-fixture/db, a Cargo.lock that has them
if command -v cargo-audit >/dev/null; then
  cp -r "$here/audit-fixture/." "$work/audit"
  cd "$work/audit/db" && git init -q -b main && git add -A && git -c user.name=f -c user.email=f@f commit -qm db
  cd "$work/audit"
  cargo audit --db "$work/audit/db" --no-fetch --json -f Cargo.lock > "$out/cargo-audit.json" 2>/dev/null || true
fi

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
