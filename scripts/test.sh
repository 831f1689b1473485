#!/usr/bin/env bash
# Run all of rigor's tests. Sets up what they need: a Python venv with pinned pytest
# (target/test-venv), then formatting and lint checks, then every test of the workspace.
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${RIGOR_TEST_VENV:-$PWD/target/test-venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import pytest, coverage, toxiproxy' 2>/dev/null; then
  echo "== creating $VENV (pinned test tools)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/test-requirements.txt
fi
# The rollout tests drive rigor's proxy over HTTP/2 with curl.
if ! curl --version 2>/dev/null | grep -q HTTP2; then
  echo "== installing curl (HTTP/2 client for the rollout tests)"
  apt-get install -y -qq curl >/dev/null
fi
export RIGOR_TEST_PYTHON="$VENV/bin/python"
# Property tests draw their cases from a fixed seed so that every CI run checks the same cases;
# explore new ones with e.g. `PROPTEST_RNG_SEED=$RANDOM scripts/test.sh`.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261127}"
export PATH="$VENV/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
  # nextest does not run doctests
  cargo test --workspace --doc --quiet
else
  cargo test --workspace --no-fail-fast
fi
