#!/usr/bin/env bash
# Run all of rigor's tests. Sets up what they need: a Python venv with pinned pytest
# (target/test-venv), then formatting and lint checks, then every test of the workspace.
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${RIGOR_TEST_VENV:-$PWD/target/test-venv}"
# The venv is (re)built when it is missing or when scripts/test-requirements.txt changed since
# it was built (a copy of the file it was built from is kept inside it).
if [ ! -x "$VENV/bin/python" ] || ! cmp -s scripts/test-requirements.txt "$VENV/rigor-requirements.txt"; then
  echo "== creating $VENV (pinned test tools)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/test-requirements.txt
  cp scripts/test-requirements.txt "$VENV/rigor-requirements.txt"
fi
# The rollout tests drive rigor's proxy over HTTP/2 with curl.
if ! curl --version 2>/dev/null | grep -q HTTP2; then
  echo "== installing curl (HTTP/2 client for the rollout tests)"
  apt-get install -y -qq curl >/dev/null
fi
# rigor audit's https --update test serves over TLS with Debian's `openssl s_server`.
if ! command -v openssl >/dev/null 2>&1; then
  echo "== installing openssl (for the rigor audit https test)"
  apt-get install -y -qq openssl >/dev/null 2>&1 || echo "warning: could not install openssl: the audit https test will fail" >&2
fi
export RIGOR_TEST_PYTHON="$VENV/bin/python"
# Property tests draw their cases from a fixed seed so that every CI run checks the same cases;
# explore new ones with e.g. `PROPTEST_RNG_SEED=$RANDOM scripts/test.sh`.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261127}"
export PATH="$VENV/bin:$PATH"

# The dashboard's browser test (rigor serve) drives headless Chromium from Debian.
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (for the rigor serve browser test)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1; then
    echo "warning: could not install chromium: the rigor serve browser test will fail" >&2
  fi
fi

# The PostgreSQL store tests start throwaway clusters with Debian's server (initdb, pg_ctl).
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing postgresql (for the PostgreSQL store tests)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >/dev/null 2>&1; then
    echo "warning: could not install postgresql: the PostgreSQL store tests will fail" >&2
  fi
fi

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
