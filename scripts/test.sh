#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds everything (tests
# and benchmarks included) and runs every test through CTest: GoogleTest
# unit tests, end-to-end tests against the real hallmarkd (Python grpcio,
# promtool, a real Prometheus scrape), the Markdown rendering check (Node),
# a quick benchmark smoke run, every fuzz target for a few seconds, the core
# unit tests again under ASan + UBSan, and the container deployment checks.
#
#   ./scripts/test.sh            # build in ./build and test
#   BUILD_DIR=/tmp/b ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

./scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHALLMARK_BUILD_TESTS=ON -DHALLMARK_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
# Pinned npm packages (package-lock.json): the Markdown rendering check and
# the C2PA reference reader (c2pa-rs as WebAssembly) of test_provenance.
for dir in tests/markdown tests/provenance/c2pa_reader; do
  if [ ! -d "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
done
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" --timeout 600
# Every libFuzzer target (clang-14, ASan + UBSan) for a bounded time from its
# seed corpus: FUZZ_SECONDS each (default 10 here; scripts/fuzz.sh alone
# defaults to 30). A crash fails the suite and leaves its input in
# $FUZZ_BUILD_DIR/findings/.
FUZZ_SECONDS=${FUZZ_SECONDS:-10} BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz} ./scripts/fuzz.sh
# The core libraries' unit tests (codecs, image scheme, C2PA, payload, text
# scheme) under ASan + UBSan with GCC: about 3.5 minutes cold on 2 cores.
# The whole suite under sanitizers is `SANITIZE_ALL=1 ./scripts/sanitize.sh`
# (docs/operations.md), too long for every run.
BUILD_DIR=${ASAN_BUILD_DIR:-build-asan-core} ./scripts/sanitize.sh
# The deployment paths for real: the container image, the compose demo and
# `podman kube play` (about 6-8 minutes, mostly the image build). Skipped,
# with a message, where no container engine can run; SKIP_CONTAINERS=1 skips
# them on purpose.
if [ "${SKIP_CONTAINERS:-0}" = 1 ]; then
  echo "test.sh: SKIP_CONTAINERS=1: container steps skipped"
else
  HALLMARKD="$BUILD_DIR/sidecar/hallmarkd" HALLMARK_CLI="$BUILD_DIR/tools/hallmark/hallmark" \
    ./scripts/container-test.sh
fi
