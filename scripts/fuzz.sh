#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan + coverage, in
# build-fuzz/) and runs each one for FUZZ_SECONDS (default 30) from its seed
# corpus in tests/fuzz/corpus/<target>/. New inputs go to a scratch corpus in
# the build directory, so the checked-in seeds stay small; a crash leaves its
# input in build-fuzz/findings/<target>/ and fails the script.
#
#   ./scripts/fuzz.sh                          # every target, 30 s each
#   FUZZ_SECONDS=60 ./scripts/fuzz.sh text_detect_fuzzer
#   BUILD_DIR=/tmp/bf JOBS=1 ./scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
JOBS=${JOBS:-$(nproc)}
ALL_TARGETS=(text_detect_fuzzer text_mark_fuzzer payload_open_fuzzer policy_yaml_fuzzer
             request_parse_fuzzer image_decode_fuzzer text_receipt_fuzzer
             c2pa_manifest_fuzzer)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${ALL_TARGETS[@]}"); fi

if ! command -v clang++-14 >/dev/null ||
    ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz.sh needs clang-14 and libFuzzer: apt-get install clang-14 libclang-rt-14-dev" >&2
  exit 2
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHALLMARK_BUILD_FUZZERS=ON -DHALLMARK_BUILD_TESTS=ON -DHALLMARK_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target "${targets[@]}"

status=0
for target in "${targets[@]}"; do
  seeds="tests/fuzz/corpus/$target"
  scratch="$BUILD_DIR/corpus/$target"
  findings="$BUILD_DIR/findings/$target"
  mkdir -p "$scratch" "$findings"
  echo "=== $target: ${FUZZ_SECONDS} s"
  if ! "$BUILD_DIR/tests/fuzz/$target" -max_total_time="$FUZZ_SECONDS" -max_len=8192 \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$findings/" "$scratch" "$seeds"; then
    echo "=== $target FAILED: input in $findings/" >&2
    status=1
  fi
done
exit "$status"
