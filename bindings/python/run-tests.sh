#!/usr/bin/env bash
# The Python bindings' tests: builds the wheel with maturin (dev profile, sharing cargo's target directory, so the
# workspace's compiled crates are reused), installs it into a fresh virtualenv with numpy, shap and pytest, builds
# the CLI the tests compare against, and runs pytest against the installed wheel (never the source tree).
# Usage: bindings/python/run-tests.sh [pytest arguments]; VENV=DIR reuses a virtualenv (default: a fresh one).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"

venv="${VENV:-$(mktemp -d)/venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'maturin>=1.9.4,<2' numpy 'shap==0.51.*' matplotlib pytest
fi

started=$(date +%s)
rm -rf "$target/wheels"
# --strip: the debug info is 90 % of a dev wheel (53.6 MiB -> 5.2 MiB, BENCHMARKS.md); the extension never prints a
# backtrace, so nothing is lost.
"$venv/bin/maturin" build --quiet --strip --manifest-path "$here/Cargo.toml" --out "$target/wheels"
wheel="$(ls "$target"/wheels/whylm-*.whl)"
echo "wheel: $wheel ($(du -k "$wheel" | cut -f1) KiB, built in $(( $(date +%s) - started )) s)"
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheel"

cargo build -q -p whylm-cli
export WHYLM_CLI="$target/debug/whylm"
# pytest runs from the tests folder so that `import whylm` finds the installed wheel, not python/whylm.
cd "$here/tests"
"$venv/bin/python" -m pytest -q "$@"
