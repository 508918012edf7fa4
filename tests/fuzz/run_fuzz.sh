#!/usr/bin/env bash
# run_fuzz.sh [onnx|tensor_pb] [SECONDS] [BUILD_DIR] — fuzzes one target (docs/fuzzing.md).
#
# Configures BUILD_DIR (default build-fuzz) with CC=clang -Dfuzz=true if needed, builds the
# target, writes its seeds (make_seeds.py), and runs libFuzzer for SECONDS (default 1800) in
# fork mode with one job (-fork=1: a crash, timeout or OOM is saved and fuzzing goes on).
# Work files live in BUILD_DIR/fuzz-TARGET/: corpus/ (grows), seeds/, artifacts/ (what to
# triage: BUILD_DIR/tests/fuzz_TARGET_replay FILE prints the report; fix, then keep the file
# in tests/fuzz/regressions/TARGET/ under a name that says what it was).
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:-onnx}
secs=${2:-1800}
dir=${3:-build-fuzz}
[ -f "$dir/build.ninja" ] || CC=clang meson setup "$dir" -Dfuzz=true
ninja -C "$dir" "tests/fuzz_$target" "tests/fuzz_${target}_replay"
work=$dir/fuzz-$target
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
python3 tests/fuzz/make_seeds.py "$target" "$work/seeds"
opts=(-timeout=20 -rss_limit_mb=3072 -malloc_limit_mb=2048)
if [ "$target" = onnx ]; then
    opts+=(-max_len=16384 -dict="$work/onnx.dict")
else
    opts+=(-max_len=4096)
fi
exec "$dir/tests/fuzz_$target" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$secs" "${opts[@]}" -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$work/seeds" "tests/fuzz/regressions/$target"
