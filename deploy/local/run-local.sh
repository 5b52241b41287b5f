#!/usr/bin/env bash
# The deployment demo without containers: hallmarkd, the demo inference
# server and a local Prometheus (Debian's package) as plain processes, on
# loopback ports chosen at run time and a unix socket in a temp directory.
# Sends demo traffic through the inference server, shows what happened, and
# checks it: the decisions, a detection, and Prometheus counting the same
# number of requests that the inference server made.
#
#   deploy/local/run-local.sh           # keep everything running until Ctrl-C
#   deploy/local/run-local.sh --exit    # stop after the checks (CI)
#
# Binaries: HALLMARKD and HALLMARK_CLI if set, otherwise built in BUILD_DIR
# (default build/) as scripts/demo.sh does. Needs /usr/bin/python3 with
# python3-grpcio, protoc with grpc_python_plugin, and prometheus (all from
# scripts/install-deps.sh). Exit 0 when every check passed, 1 when one failed,
# 77 when a required tool is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
EXIT_AFTER=0
[ "${1:-}" = "--exit" ] && EXIT_AFTER=1
PY=/usr/bin/python3
TRAFFIC_COUNT=${TRAFFIC_COUNT:-16}

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }

if [ -z "${HALLMARKD:-}" ] || [ -z "${HALLMARK_CLI:-}" ]; then
  BUILD_DIR=${BUILD_DIR:-build}
  ./scripts/install-deps.sh
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target hallmarkd hallmark
  HALLMARKD=$BUILD_DIR/sidecar/hallmarkd
  HALLMARK_CLI=$BUILD_DIR/tools/hallmark/hallmark
fi
PROTOC=${HALLMARK_PROTOC:-$(command -v protoc || true)}
missing=()
[ -x "$HALLMARKD" ] || missing+=("hallmarkd at $HALLMARKD")
[ -x "$HALLMARK_CLI" ] || missing+=("hallmark at $HALLMARK_CLI")
[ -n "$PROTOC" ] || missing+=("protoc (protobuf-compiler)")
[ -x /usr/bin/grpc_python_plugin ] || missing+=("grpc_python_plugin (protobuf-compiler-grpc)")
$PY -c 'import grpc' 2>/dev/null || missing+=("python3-grpcio for $PY")
command -v prometheus >/dev/null || missing+=("prometheus (Debian package)")
if [ ${#missing[@]} -gt 0 ]; then
  say "SKIP run-local: missing ${missing[*]}; scripts/install-deps.sh installs them"
  exit 77
fi

work=$(mktemp -d -t hallmark-local.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    say "--- logs (in $work) ---"
    for f in "$work"/*.log; do [ -f "$f" ] && { say "--- $f"; tail -20 "$f"; }; done
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { say "FAIL timed out waiting for $what"; return 1; }
    sleep 0.2
  done
}
get() { curl -fsS --max-time 10 "$@"; }
failures=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then say "  ok: $what"; else say "  FAIL: $what"; failures=$((failures + 1)); fi
}

metrics_port=$(free_port); inference_port=$(free_port); prometheus_port=$(free_port)
socket=$work/hallmark.sock
started=$SECONDS

step "Python stubs and a key"
mkdir -p "$work/stubs" "$work/keys"
"$PROTOC" -I proto -I /usr/include --python_out="$work/stubs" --grpc_out="$work/stubs" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin hallmark/v1/hallmark.proto hallmark/v1/config.proto
"$HALLMARK_CLI" keygen --out "$work/keys" --id local-k1 >/dev/null
say "stubs in $work/stubs, key local-k1 in $work/keys"

step "hallmarkd on unix:$socket, metrics on 127.0.0.1:$metrics_port"
"$HALLMARKD" --grpc_listen="unix:$socket" --metrics_listen="127.0.0.1:$metrics_port" \
  --policy=deploy/demo/policy.yaml --keys="$work/keys" >"$work/hallmarkd.log" 2>&1 &
pids+=($!)
wait_for 30 "hallmarkd ready" grep -q "hallmarkd ready" "$work/hallmarkd.log"
grep "hallmarkd ready" "$work/hallmarkd.log"

step "demo inference server on http://127.0.0.1:$inference_port"
$PY deploy/demo/inference_server.py --listen "127.0.0.1:$inference_port" --sidecar "unix:$socket" \
  --stubs "$work/stubs" --quiet >"$work/inference.log" 2>&1 &
pids+=($!)
wait_for 30 "the inference server to be ready" get "http://127.0.0.1:$inference_port/readyz"
head -1 "$work/inference.log"

step "Prometheus on http://127.0.0.1:$prometheus_port (scrapes hallmarkd every second, Hallmark rules loaded)"
cat >"$work/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 5s }
rule_files: ["$root/deploy/prometheus/hallmark-rules.yaml"]
scrape_configs:
  - job_name: hallmark
    static_configs: [{ targets: ["127.0.0.1:$metrics_port"] }]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus-data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_for 60 "Prometheus to be ready" get "http://127.0.0.1:$prometheus_port/-/ready"
say "Prometheus ready"

base=http://127.0.0.1:$inference_port
step "Requests to the inference server"
json_field() { $PY -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1], ""))' "$1"; }
out=$(get "$base/v1/text?space=demo/assistant&prompt=hello")
say "demo/assistant (mark):    $(echo "$out" | json_field decision), key $(echo "$out" | json_field key_id)"
check "mark mode returns marked text" test "$(echo "$out" | json_field decision)" = DECISION_MARKED
echo "$out" | json_field text >"$work/marked.txt"
detect=$(curl -fsS --max-time 10 --data-binary @"$work/marked.txt" "$base/v1/detect")
say "detect on it:             verified=$(echo "$detect" | json_field verified) space=$(echo "$detect" | json_field space) fpp=$(echo "$detect" | json_field false_positive_probability)"
check "the released text verifies, for its Space" test "$(echo "$detect" | json_field verified)/$(echo "$detect" | json_field space)" = "True/demo/assistant"
code=$(curl -s -o "$work/blocked.json" -w '%{http_code}' "$base/v1/text?space=demo/chat&prompt=hi&words=5")
say "demo/chat (enforce), 5 words: HTTP $code, $(json_field decision <"$work/blocked.json") $(json_field reason <"$work/blocked.json"), text released: $(grep -q '"text"' "$work/blocked.json" && echo yes || echo no)"
check "enforce-blocked content is not released" test "$code" = 403 -a -z "$(json_field text <"$work/blocked.json")"
out=$(get "$base/v1/text?space=demo/canary&prompt=x")
check "shadow mode returns the original (SHADOWED)" test "$(echo "$out" | json_field decision)" = DECISION_SHADOWED
out=$(get "$base/v1/text?space=demo/legacy&prompt=x")
check "off mode passes through (MODE_OFF)" test "$(echo "$out" | json_field reason)" = REASON_MODE_OFF
headers=$(curl -fsS -D - -o "$work/image.png" "$base/v1/image?space=demo/images&prompt=sunset")
say "demo/images: $(echo "$headers" | tr -d '\r' | grep -i '^X-Hallmark-\(Decision\|Reason\|Sidecar-Error\|Psnr\)' | tr '\n' ' ')"
check "an image comes back (marked, or unmarked with the sidecar's reason)" \
  test "$(head -c 8 "$work/image.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a

step "Traffic: $TRAFFIC_COUNT requests over every demo Space"
$PY deploy/demo/traffic.py --target "$base" --rate 20 --count "$TRAFFIC_COUNT" | sed 's/^/  /'

step "What the inference server did, and what Prometheus counted"
stats=$(get "$base/stats")
say "inference server: $stats"
calls=$(echo "$stats" | json_field mark_text_calls)
query='sum(hallmark_requests_total{modality="text"})'
prom_value() {
  get "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$query" |
    $PY -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else -1)'
}
prom_matches() { [ "$(prom_value)" = "$calls" ]; }
wait_for 30 "Prometheus to count $calls text requests" prom_matches || true
counted=$(prom_value)
say "PromQL $query = $counted; MarkText calls made by the inference server = $calls"
check "Prometheus counts exactly the requests the inference server made" test "$counted" = "$calls"
say "by Space and decision:"
get "http://127.0.0.1:$prometheus_port/api/v1/query" \
  --data-urlencode 'query=sum by (space, decision, reason) (hallmark_requests_total) > 0' |
  $PY -c 'import json,sys
for r in sorted(json.load(sys.stdin)["data"]["result"], key=lambda r: (r["metric"].get("space"), r["metric"].get("decision"))):
    m = r["metric"]
    print("  %-16s %-15s %-10s %s" % (m.get("space"), m.get("decision"), m.get("reason"), r["value"][1]))'
groups=$(get "http://127.0.0.1:$prometheus_port/api/v1/rules" | $PY -c 'import json,sys; print(" ".join(sorted(g["name"] for g in json.load(sys.stdin)["data"]["groups"])))')
check "Prometheus loaded the Hallmark rules ($groups)" test "$groups" = "hallmark.alerts hallmark.recording"

step "Summary ($((SECONDS - started)) s)"
if [ $failures -ne 0 ]; then say "$failures check(s) FAILED"; exit 1; fi
say "all checks passed"
if [ $EXIT_AFTER -eq 1 ]; then exit 0; fi
cat <<EOF
Running until Ctrl-C:
  inference server  $base/        (try: curl '$base/v1/text?space=demo/assistant&prompt=hi')
  hallmarkd         unix:$socket, metrics http://127.0.0.1:$metrics_port/metrics
  Prometheus        http://127.0.0.1:$prometheus_port/  (alerts: /alerts)
EOF
wait "${pids[0]}"
