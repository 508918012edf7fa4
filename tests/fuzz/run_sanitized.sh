#!/usr/bin/env bash
# run_sanitized.sh [BUILD_DIR] — the unit tests and a sample of the model tests under AddressSanitizer
# + UndefinedBehaviorSanitizer (docs/fuzzing.md).
#
# Configures BUILD_DIR (default build-asan) with -Dsanitize=true if needed, builds it, then runs
# under ASan/UBSan (first report fatal, leaks checked): every meson test except the ONNX
# conformance set and the full model runs (unit, golden passes, broken-model corpus, CLI, fuzz
# regressions, emitted-main and emitted-C checks, limits), and the model runner on a sample
# (mnist-8, its 12 layer cuts, silero-vad with its If; the runner's -O levels). The programs the
# emitted-main check and the model runner generate are built with ASan + UBSan too.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-build-asan}
[ -f "$dir/build.ninja" ] || meson setup "$dir" -Dsanitize=true
ninja -C "$dir"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
san_cc='cc -fsanitize=address,undefined -fno-sanitize-recover=all -g'
# CC: the C compiler check_main_inputs.py builds its test programs with.
CC=$san_cc meson test -C "$dir" --print-errorlogs --no-suite conformance --no-suite models
python3 tests/models/run.py --fastc "$dir/fastc" -j 2 --cc "$san_cc" 'mnist-8*' 'silero*'
