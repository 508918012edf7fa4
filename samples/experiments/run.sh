#!/usr/bin/env bash
# run.sh — reproduces the experiments of samples/experiments/README.md with `fastc explore`:
# each writes <name>/explore.{md,csv,json,svg}. Needs ../shared/bench/models (the benchmark
# models) and a built fastc (tools/setup.sh build). Usage: samples/experiments/run.sh [NAME...]
# (NAME: digits, cifar, bert; default all). bert takes ~15 min (17 C files of 59 MB to compile).
set -euo pipefail
cd "$(dirname "$0")/../.."
M=../shared/bench/models
FASTC=build/fastc
OUT=samples/experiments
[ -x "$FASTC" ] || tools/setup.sh build

run() {
    local name=$1 model=$2
    shift 2
    echo "== $name" >&2
    "$FASTC" explore "$M/$model/model.onnx" --data "$M/$model/test_data_set_0" --out "$OUT/$name" "$@"
}

for what in "${@:-digits cifar bert}"; do
    for w in $what; do
        case $w in
        digits) # top-1 accuracy per activation (torch: GELU 0.9867, ReLU 0.9822, tanh-GELU 0.9867)
            run digits_cnn_b450 digits_cnn_b450 --labels "$M/digits_cnn_b450/labels.pb" --runs 30 ;;
        cifar)  # latency per activation
            run cifar_gelu_b64 cifar_gelu_b64 --runs 30 ;;
        bert)   # latency and deviation per transformation, and all together
            run bert_mini_qa_b1 bert_mini_qa_b1 --runs 45 \
                --variants default,O3,O3+gelu:quick ;;
        *) echo "unknown experiment '$w' (digits, cifar, bert)" >&2; exit 2 ;;
        esac
    done
done
