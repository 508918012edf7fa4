#!/usr/bin/env bash
# run.sh — the benchmark: fastc's generated C vs ONNX Runtime on ../shared/bench/models.
#
#   bench/run.sh [--rounds R] [--target-ms MS] [--rebuild] [PATTERN ...]   (bench/bench.py -h)
#
# Installs what is missing (the Debian build dependencies and fastc itself through
# tools/setup.sh; onnxruntime-node into bench/node_modules from the committed
# package-lock.json), then runs bench/bench.py: it compiles every model with `fastc -O3`, times
# it interleaved with ONNX Runtime (1 and 2 threads) in the same run, measures the core's FMA
# peak, prints a Markdown table and writes bench/RESULTS.md. With FASTC=/path/to/fastc in the
# environment, that binary is measured and build/ is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${FASTC:-}" ]; then
  tools/setup.sh build  # bench.py then uses build/fastc (or --build DIR's, or --fastc)
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "bench: installing nodejs and npm" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi

if [ ! -f bench/node_modules/onnxruntime-node/package.json ]; then
  echo "bench: installing onnxruntime-node (npm ci)" >&2
  # The package bundles the CPU runtime; its install script would only download the CUDA
  # provider from outside the npm registry, which the benchmark does not use.
  (cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >&2)
fi

exec python3 bench/bench.py "$@"
