#!/usr/bin/env bash
# Quick start: installs what is missing, builds hallmarkd and the hallmark
# CLI, starts hallmarkd with the demo policy (examples/policy.yaml: embedded
# defaults for every Space, plus one Space per mode) and an ephemeral key,
# sends demo traffic, shows the metrics, and keeps serving until Ctrl-C.
#
#   ./scripts/demo.sh           # keep serving after the demo (Ctrl-C stops)
#   ./scripts/demo.sh --exit    # stop after the demo
# Ports: GRPC_ADDR (default 127.0.0.1:50051), METRICS_ADDR (127.0.0.1:9464).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
GRPC_ADDR=${GRPC_ADDR:-127.0.0.1:50051}
METRICS_ADDR=${METRICS_ADDR:-127.0.0.1:9464}

./scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHALLMARK_BUILD_TESTS=ON -DHALLMARK_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target hallmarkd hallmark

log=$(mktemp -t hallmarkd-demo.XXXXXX.log)
"$BUILD_DIR/sidecar/hallmarkd" --policy examples/policy.yaml \
  --grpc_listen "$GRPC_ADDR" --metrics_listen "$METRICS_ADDR" 2>"$log" &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 1 100); do
  grep -q "hallmarkd ready" "$log" && break
  if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; exit 1; fi
  sleep 0.1
done
echo "== hallmarkd (pid $pid) log so far =="
cat "$log"

"$BUILD_DIR/tools/hallmark/hallmark" demo --addr "$GRPC_ADDR"

echo
echo "== Metrics: http://$METRICS_ADDR/metrics (hallmark_requests_total) =="
curl -s "http://$METRICS_ADDR/metrics" | grep '^hallmark_requests_total' | grep -v ' 0$' || true
echo
echo "Try it yourself:"
echo "  $BUILD_DIR/tools/hallmark/hallmark health --addr $GRPC_ADDR"
echo "  curl -s http://$METRICS_ADDR/metrics | grep hallmark_"
echo "  $BUILD_DIR/tools/hallmark/hallmark mark --space demo/assistant README.md > /tmp/marked.md"
echo "  $BUILD_DIR/tools/hallmark/hallmark keygen --out /tmp/demo-keys --id demo"
echo "  $BUILD_DIR/tools/hallmark/hallmark mark --keys /tmp/demo-keys --out /tmp/marked.jpg tests/data/images/astronaut.jpg"
echo "  $BUILD_DIR/tools/hallmark/hallmark detect --keys /tmp/demo-keys /tmp/marked.jpg"
echo "hallmarkd log: $log"
if [ "${1:-}" = "--exit" ]; then exit 0; fi
echo "hallmarkd keeps serving on $GRPC_ADDR; press Ctrl-C to stop it."
wait "$pid"
