#!/usr/bin/env bash
# ASan + UBSan (GCC) over the core libraries' unit tests: everything below
# the sidecar — the payload, ECC and text scheme, the image codecs (every
# decoder of untrusted bytes), the image scheme and the C2PA writer and
# validator — without gRPC, so it builds in a few minutes. scripts/test.sh
# runs it; any report fails it (halt_on_error, and UBSan aborts).
#
#   ./scripts/sanitize.sh                   # core tests, build in build-asan-core/
#   SANITIZE_ALL=1 ./scripts/sanitize.sh    # the whole suite, server and
#                                           # end-to-end tests included (about
#                                           # 10 minutes more on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
if [ "${SANITIZE_ALL:-0}" = 1 ]; then
  BUILD_DIR=${BUILD_DIR:-build-asan}
  server=ON
else
  BUILD_DIR=${BUILD_DIR:-build-asan-core}
  server=OFF
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALLMARK_SANITIZE=ON \
  -DHALLMARK_BUILD_SERVER="$server" -DHALLMARK_BUILD_TESTS=ON \
  -DHALLMARK_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$JOBS" --timeout 900 -LE deploy
