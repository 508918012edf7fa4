#!/usr/bin/env bash
# run_sanitized.sh [--sample] [BUILD_DIR] — the unit tests and model tests under AddressSanitizer
# + UndefinedBehaviorSanitizer (docs/fuzzing.md).
#
# Configures BUILD_DIR (default build-asan) with -Dsanitize=true -Dbuildtype=debug if needed,
# builds it, then runs under ASan/UBSan (first report fatal, leaks checked), with the programs
# the emitted-main check, the findings check and the model runner generate built with ASan +
# UBSan too:
#
#   (default)  every meson test except the ONNX conformance set and the full model runs (unit,
#              golden passes, broken-model corpus, CLI, fuzz regressions, emitted-main,
#              findings and emitted-C checks, limits), then the model runner on mnist-8, its 12
#              layer cuts and silero-vad with its If (-O0 and -O2).
#   --sample   what tests/run_all.sh (CI) runs, about 3 minutes on 2 cores: the unit tests, the
#              broken-model corpus, the fuzz regressions, the emitted-main and findings checks,
#              then mnist-8 and silero-vad at -O0 and -O2.
#
# A process with a sanitizer report exits with status 86, which no test accepts. ASan and LSan
# reports also go to files in BUILD_DIR/sanitizer-logs/ (log_path), printed at the end, so that
# one in a process whose exit status a test does not look at still fails the run (gcc's UBSan
# runtime ignores log_path when linked with ASan: its reports stay on stderr). Exits non-zero
# on any test failure or report.
set -uo pipefail
cd "$(dirname "$0")/../.."
sample=0
if [ "${1:-}" = --sample ]; then
    sample=1
    shift
fi
dir=${1:-build-asan}
# buildtype=debug (-O0): a third of the compile time of the default -O2, and the tests are
# as fast in total (tests/run_all.sh's budget is about 3 minutes).
if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dsanitize=true -Dbuildtype=debug >/dev/null || exit 1
fi
ninja -C "$dir" >"$dir/ninja.log" 2>&1 || { cat "$dir/ninja.log"; exit 1; }
logs=$PWD/$dir/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export ASAN_OPTIONS=$ASAN_OPTIONS:detect_stack_use_after_return=1:exitcode=86:log_path=$logs/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=$logs/ubsan
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
san_cc='cc -fsanitize=address,undefined -fno-sanitize-recover=all -g'
status=0
# CC: the C compiler check_main_inputs.py and check_findings.py build their test programs with.
if [ $sample = 1 ]; then
    CC=$san_cc meson test -C "$dir" --no-rebuild --print-errorlogs --suite unit || status=1
    CC=$san_cc meson test -C "$dir" --no-rebuild --print-errorlogs bad-models \
        fuzz-regressions-onnx fuzz-regressions-tensor-pb fuzz-findings emitted-main-inputs ||
        status=1
    models=(real-models/mnist-8 'silero*')
else
    CC=$san_cc meson test -C "$dir" --no-rebuild --print-errorlogs --no-suite conformance \
        --no-suite models || status=1
    models=('mnist-8*' 'silero*')
fi
python3 tests/models/run.py --fastc "$dir/fastc" -j 2 -O 0,2 --cc "$san_cc" "${models[@]}" \
    >"$dir/sanitized-models.log" 2>&1
rc=$?
case $rc in
    0) grep -E '^(real-models|bench)/|^Time|passed, ' "$dir/sanitized-models.log" ;;
    77) echo "run_sanitized: model runs skipped (no ../shared)" ;;
    *) cat "$dir/sanitized-models.log"; status=1 ;;
esac
if [ -n "$(ls -A "$logs")" ]; then
    echo "run_sanitized: sanitizer reports:" >&2
    for f in "$logs"/*; do
        echo "==== $f" >&2
        cat "$f" >&2
    done
    status=1
fi
echo "run_sanitized: $([ $status = 0 ] && echo 'clean' || echo 'FAILED')" >&2
exit $status
