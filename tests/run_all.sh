#!/usr/bin/env bash
# run_all.sh — set up (Debian packages, build) and run the whole test suite: unit tests,
# model tests and ONNX conformance (meson test). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh build
meson test -C build --print-errorlogs "$@"
