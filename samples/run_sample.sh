#!/usr/bin/env bash
# run_sample.sh — the end-to-end sample: set up, compile the bundled MNIST model with fastc
# (-O2, with pass statistics), build the generated C with the system compiler, run it on a
# real digit and print the result.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh build
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "== fastc samples/mnist-8/model.onnx -O2 --stats -o model.c"
build/fastc samples/mnist-8/model.onnx -O2 --stats -o "$OUT/model.c"
echo "== cc -O2 model.c -o model -lm"
cc -O2 -std=c99 "$OUT/model.c" -o "$OUT/model" -lm
echo "== ./model test_data_set_0/input_0.pb"
"$OUT/model" -d "$OUT" --bench 20 samples/mnist-8/test_data_set_0/input_0.pb
python3 tests/tools/compare_pb.py "$OUT/output_0.pb" samples/mnist-8/test_data_set_0/output_0.pb
