#!/usr/bin/env bash
# setup.sh — installs what fastc needs on Debian 12 (only the missing packages) and builds it.
# Usage: tools/setup.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
# valgrind: the test suite's memcheck of emitted programs (tests/fuzz/check_valgrind.py); gcc
# brings the ASan/UBSan runtimes (libasan8, libubsan1) tests/run_all.sh's sanitizer build uses.
PKGS="meson ninja-build gcc pkg-config python3 libprotobuf-c-dev protobuf-c-compiler libonnx-dev libcmocka-dev valgrind"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" >/dev/null
fi
ninja -C "$BUILD" >/dev/null
