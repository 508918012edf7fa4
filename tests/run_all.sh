#!/usr/bin/env bash
# run_all.sh [MESON TEST ARGS...] — set up (Debian packages, build) and run the whole test
# suite: unit tests, model tests and ONNX conformance (meson test, build dir `build`), then the
# sanitizer build: the unit tests and a sample of the model tests under ASan + UBSan
# (tests/fuzz/run_sanitized.sh --sample, build dir `build-asan`; FC_SANITIZE=0 skips it).
# Exits non-zero on any failure or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh build
status=0
meson test -C build --print-errorlogs "$@" || status=1
if [ "${FC_SANITIZE:-1}" != 0 ]; then
    start=$(date +%s)
    tests/fuzz/run_sanitized.sh --sample build-asan || status=1
    echo "run_all: sanitizer build and tests took $(($(date +%s) - start)) s" >&2
fi
exit $status
