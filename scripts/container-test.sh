#!/usr/bin/env bash
# The deployment paths, run for real with podman (minutes, not seconds):
#
#   1. the static checks (deploy/checks/static-checks.sh: rules, dashboard,
#      Kubernetes manifests, compose files, policy, Dockerfiles);
#   2. the image: built from deploy/docker/Dockerfile, run as non-root with a
#      read-only root file system and no capabilities; health check, a
#      MarkText call over the unix socket, and the dashboard's metrics against
#      the container's own /metrics;
#   3. the compose demo (podman-compose; Grafana left out, Prometheus from
#      Debian's package): traffic, a request to the inference server comes
#      back marked, an enforce-blocked one is withheld, and Prometheus counts
#      exactly the requests the inference server made;
#   4. the Kubernetes manifests: the podman variant runs with `podman kube play`
#      and the inference container reaches the sidecar over the shared socket;
#      the native-sidecar manifest is tried too, and what podman says is shown;
#   5. everything torn down; the time of each step printed.
#
#   scripts/container-test.sh            # needs root (installs podman & co. if missing)
#
# Without a runnable container engine the container steps are skipped with a
# message (exit 0 after the static checks); any failure exits 1.
# Environment: JOBS (compile jobs in the image build, default nproc),
# HALLMARKD / HALLMARK_CLI (host binaries for the static checks, default build/),
# CONTAINER_TEST_STATE (podman config, cached base rootfs; default
# /var/tmp/hallmark-container-test), KEEP_IMAGES=1 (keep the built images).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
t0=$SECONDS
STATE=${CONTAINER_TEST_STATE:-/var/tmp/hallmark-container-test}
JOBS=${JOBS:-$(nproc)}
TAG=0.1.0
IMG_HALLMARKD=localhost/hallmark/hallmarkd:$TAG
IMG_DEMO=localhost/hallmark/demo-inference:$TAG
IMG_PROM=localhost/hallmark/prometheus-debian:test
PROJECT=hallmark-ct
PY=/usr/bin/python3

declare -a timings=()
failures=0
step_start=$SECONDS
step_name=""
step() {
  end_step
  step_name=$1
  step_start=$SECONDS
  printf '\n======== %s\n' "$1"
}
end_step() {
  [ -n "$step_name" ] && timings+=("$(printf '%4d s  %s' $((SECONDS - step_start)) "$step_name")")
  step_name=""
}
say() { printf '%s\n' "$*"; }
ok() { say "  ok: $*"; }
bad() { say "  FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then say "  timed out after $1 s waiting for $what"; return 1; fi
    sleep 0.5
  done
}
json_field() { $PY -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1], ""))' "$1"; }

finish() {
  end_step
  say ""
  say "======== time per step"
  printf '%s\n' "${timings[@]}"
  say "total: $((SECONDS - t0)) s"
  if [ $failures -ne 0 ]; then say "container-test: $failures check(s) FAILED"; exit 1; fi
  say "container-test: all checks passed"
  exit 0
}

# ---------------------------------------------------------------- cleanup ---
created_containers=()
compose_up=0
kube_files=()
workdir=$(mktemp -d -t hallmark-ct.XXXXXX)
cleanup() {
  set +e
  if command -v podman >/dev/null 2>&1; then
    for f in "${kube_files[@]}"; do podman kube down "$f" >/dev/null 2>&1; done
    podman pod rm -f inference-pod-0 >/dev/null 2>&1
    podman volume rm -f hallmark-socket hallmark-policy hallmark-keys >/dev/null 2>&1
    if [ $compose_up -eq 1 ]; then
      (cd deploy/compose && podman-compose -p $PROJECT -f compose.yaml -f compose.test.yaml down -v >/dev/null 2>&1)
      podman volume ls -q | grep "^${PROJECT}_" | xargs -r podman volume rm -f >/dev/null 2>&1
    fi
    for c in "${created_containers[@]}"; do podman rm -f -v -t 5 "$c" >/dev/null 2>&1; done
    if [ "${KEEP_IMAGES:-0}" != 1 ]; then
      podman rmi -f "$IMG_HALLMARKD" "$IMG_DEMO" "$IMG_PROM" >/dev/null 2>&1
      podman image prune -f >/dev/null 2>&1
    fi
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# ----------------------------------------------------------- static checks ---
step "static checks (deploy/checks/static-checks.sh)"
if ! command -v docker-compose >/dev/null && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1 ||
    say "  (could not install docker-compose; the compose check will be skipped)"
fi
deploy/checks/static-checks.sh 2>&1 | sed 's/^/  /'
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || bad "static checks (exit $rc)"

# ------------------------------------------------------------------ podman ---
step "container engine: podman with runc"
packages=(podman runc catatonit uidmap slirp4netns fuse-overlayfs containernetworking-plugins
          golang-github-containernetworking-plugin-dnsname debootstrap podman-compose)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "SKIP container steps: not root, and these packages are missing: ${missing[*]}"
    finish
  fi
  say "  installing ${missing[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
     "${missing[@]}" >/dev/null) || { say "SKIP container steps: apt-get could not install ${missing[*]}"; finish; }
fi
mkdir -p "$STATE"
# crun fails here ("cgroups in hybrid mode not supported"): runc. Container
# rlimits capped to the shell's, or container start fails (setrlimit).
cat >"$STATE/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF=$STATE/containers.conf
if ! podman info >"$workdir/podman-info.txt" 2>&1; then
  say "SKIP container steps: podman cannot run here:"; sed 's/^/    /' "$workdir/podman-info.txt" | tail -5
  finish
fi
say "  $(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'), network $(podman info --format '{{.Host.NetworkBackend}}')"

step "base image debian:bookworm-slim (debootstrap, no registry)"
if podman image exists docker.io/library/debian:bookworm-slim; then
  say "  present: $(podman image inspect docker.io/library/debian:bookworm-slim --format '{{.Id}}' | cut -c1-12)"
else
  rootfs_tar=$STATE/bookworm-slim-rootfs.tar
  if [ ! -s "$rootfs_tar" ]; then
    rootfs=$workdir/rootfs
    if ! debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$workdir/debootstrap.log" 2>&1; then
      tail -5 "$workdir/debootstrap.log"
      say "SKIP container steps: debootstrap could not build a base image"
      finish
    fi
    # Slim it the way the official slim image is: no apt lists or package
    # cache, no documentation, manuals or locales (and none installed later).
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
      'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
      >"$rootfs/etc/dpkg/dpkg.cfg.d/slim"
    printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
      'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$rootfs/etc/apt/apt.conf.d/docker-clean"
    tar -C "$rootfs" -cf "$rootfs_tar" . && rm -rf "$rootfs"
  fi
  podman import --quiet --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' "$rootfs_tar" localhost/bookworm-base >/dev/null &&
    podman tag localhost/bookworm-base docker.io/library/debian:bookworm-slim
  say "  imported: $(podman image inspect docker.io/library/debian:bookworm-slim --format '{{.Size}}' | numfmt --to=si)B"
fi
if ! podman run --rm --network none docker.io/library/debian:bookworm-slim true >"$workdir/run.log" 2>&1; then
  say "SKIP container steps: podman cannot start a container here:"; tail -3 "$workdir/run.log"
  finish
fi

# ------------------------------------------------------------------ images ---
step "build images (JOBS=$JOBS)"
build() { # build NAME TAG DOCKERFILE [ARGS...]
  local name=$1 tag=$2 file=$3; shift 3
  local s=$SECONDS
  if podman build --format docker -f "$file" -t "$tag" "$@" . >"$workdir/build-$name.log" 2>&1; then
    say "  $tag: $(( SECONDS - s )) s, $(podman image inspect "$tag" --format '{{.Size}}' | numfmt --to=si)B"
  else
    tail -30 "$workdir/build-$name.log"
    bad "podman build $file"
    finish
  fi
}
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
build hallmarkd "$IMG_HALLMARKD" deploy/docker/Dockerfile --build-arg JOBS="$JOBS" \
  --build-arg REVISION="$revision" --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
build demo "$IMG_DEMO" deploy/demo/Dockerfile
build prometheus "$IMG_PROM" deploy/demo/prometheus.Dockerfile
say "  runtime packages of hallmarkd: $(grep -A40 '^runtime packages:' "$workdir/build-hallmarkd.log" | sed -n '2,40p' | grep -E '^[a-z0-9][a-z0-9.+-]+$' | tr '\n' ' ')"

# ---------------------------------------------------------- image contract ---
step "hallmarkd image: non-root, read-only root, health, MarkText over the socket"
sock=$workdir/socket
mkdir -p "$sock" && chown 10001:10001 "$sock"
mport=$(free_port)
created_containers+=(hm-ct-image)
podman run -d --name hm-ct-image --read-only --read-only-tmpfs=false --cap-drop ALL \
  --security-opt no-new-privileges -v "$sock:/run/hallmark" \
  -v "$root/deploy/demo/policy.yaml:/etc/hallmark/policy/policy.yaml:ro" \
  -p "127.0.0.1:$mport:9464" "$IMG_HALLMARKD" \
  --grpc_listen=unix:/run/hallmark/hallmark.sock --metrics_listen=0.0.0.0:9464 \
  --policy=/etc/hallmark/policy/policy.yaml >/dev/null 2>"$workdir/run-image.err" ||
  { cat "$workdir/run-image.err"; bad "podman run $IMG_HALLMARKD"; finish; }
wait_for 30 "the image's HEALTHCHECK to pass" podman healthcheck run hm-ct-image ||
  { podman logs hm-ct-image 2>&1 | tail -20; }
check "HEALTHCHECK (hallmark health) passes" podman healthcheck run hm-ct-image
check "runs as 10001:10001" test "$(podman exec hm-ct-image id -u):$(podman exec hm-ct-image id -g)" = 10001:10001
check "root file system is read-only" test "$(podman inspect hm-ct-image --format '{{.HostConfig.ReadonlyRootfs}}')" = true
check "cannot write outside the socket volume" sh -c "! podman exec hm-ct-image sh -c 'echo x > /tmp/x' 2>/dev/null"
podman logs hm-ct-image 2>&1 | grep "hallmarkd ready" | sed 's/^/  /'
# A MarkText call from another container sharing the socket directory (the
# demo image has python3-grpcio and the stubs), as the socket's group.
mark_py='
import sys
sys.path.insert(0, "/opt/hallmark-demo/stubs")
import grpc
from hallmark.v1 import hallmark_pb2 as pb, hallmark_pb2_grpc as rpc
stub = rpc.HallmarkStub(grpc.insecure_channel("unix:/run/hallmark/hallmark.sock"))
text = " ".join("word%d" % i for i in range(150))
r = stub.MarkText(pb.MarkTextRequest(space="demo/assistant", text=text), timeout=10)
d = stub.Detect(pb.DetectRequest(text=r.text), timeout=10)
print(pb.Decision.Name(r.decision), r.key_id, "changed=%s" % (r.text != text), "verified=%s" % d.verified)
'
out=$(podman run --rm --network none --group-add 10001 -v "$sock:/run/hallmark" --entrypoint /usr/bin/python3 \
  "$IMG_DEMO" -c "$mark_py" 2>"$workdir/mark.err") || sed 's/^/    /' "$workdir/mark.err"
say "  MarkText + Detect over the socket: $out"
check "MarkText over the unix socket marks, and the mark verifies" grep -q "DECISION_MARKED .* changed=True verified=True" <<<"$out"
if curl -fsS "http://127.0.0.1:$mport/metrics" >"$workdir/metrics.txt"; then
  ok "metrics served on the published port ($(grep -c '^hallmark_' "$workdir/metrics.txt") hallmark_ series)"
  if [ -d deploy/checks/node_modules ]; then
    check "dashboard and rules query only metrics the container exports" \
      node deploy/checks/check-dashboard.mjs --metrics-file "$workdir/metrics.txt"
  fi
else
  bad "metrics on 127.0.0.1:$mport"
fi
podman stop -t 25 hm-ct-image >/dev/null 2>&1
check "stops cleanly on SIGTERM (exit 0)" test "$(podman inspect hm-ct-image --format '{{.State.ExitCode}}')" = 0
# Defaults only: no volume given (the image's VOLUME holds the socket), the
# plain --read-only of podman.
created_containers+=(hm-ct-defaults)
podman run -d --name hm-ct-defaults --read-only --cap-drop ALL "$IMG_HALLMARKD" >/dev/null 2>&1
wait_for 30 "the default-argument container to be healthy" podman healthcheck run hm-ct-defaults
check "starts with no arguments and no mounts (ephemeral key, socket in the image's volume)" \
  podman healthcheck run hm-ct-defaults
podman rm -f -v -t 5 hm-ct-defaults >/dev/null 2>&1

# ---------------------------------------------------------------- compose ---
step "compose demo (podman-compose; Grafana left out, Prometheus from Debian)"
export INFERENCE_PORT=$(free_port) PROMETHEUS_PORT=$(free_port) METRICS_PORT=$(free_port)
export GRAFANA_PORT=$(free_port) TRAFFIC_COUNT=16 TRAFFIC_RATE=10
compose() { (cd deploy/compose && podman-compose -p $PROJECT -f compose.yaml -f compose.test.yaml "$@"); }
# The images are built already: compose.yaml's hallmark/hallmarkd:0.1.0 is
# localhost/hallmark/hallmarkd:0.1.0 to podman, so nothing is rebuilt.
compose_up=1
if ! compose up -d hallmarkd inference prometheus traffic >"$workdir/compose-up.log" 2>&1; then
  tail -20 "$workdir/compose-up.log"; bad "podman-compose up"
fi
base=http://127.0.0.1:$INFERENCE_PORT
prom=http://127.0.0.1:$PROMETHEUS_PORT
wait_for 60 "the inference server to be ready" curl -fsS "$base/readyz" ||
  { compose logs hallmarkd inference 2>&1 | tail -20; }
wait_for 60 "Prometheus to be ready" curl -fsS "$prom/-/ready"
wait_for 90 "the traffic generator to finish" sh -c "podman ps -a --format '{{.Names}} {{.Status}}' | grep -q '^${PROJECT}_traffic_1 Exited'"
podman logs ${PROJECT}_traffic_1 2>&1 | tail -4 | sed 's/^/  /'
check "the traffic generator sent its $TRAFFIC_COUNT requests" \
  sh -c "podman logs ${PROJECT}_traffic_1 2>&1 | grep -q 'traffic: done, $TRAFFIC_COUNT requests'"
out=$(curl -fsS "$base/v1/text?space=demo/assistant&prompt=hello")
say "  GET /v1/text?space=demo/assistant -> $(echo "$out" | json_field decision), key $(echo "$out" | json_field key_id)"
check "the inference server returns marked content" test "$(echo "$out" | json_field marked)" = True
echo "$out" | json_field text >"$workdir/marked.txt"
verified=$(curl -fsS --data-binary @"$workdir/marked.txt" "$base/v1/detect" | json_field verified)
check "the returned text verifies with the demo's key" test "$verified" = True
code=$(curl -s -o "$workdir/blocked.json" -w '%{http_code}' "$base/v1/text?space=demo/chat&prompt=hi&words=5")
check "enforce-blocked content is withheld (HTTP $code, no text)" \
  test "$code" = 403 -a -z "$(json_field text <"$workdir/blocked.json")"
calls=$(curl -fsS "$base/stats" | json_field mark_text_calls)
query='sum(hallmark_requests_total{modality="text"})'
prom_value() {
  curl -fsS "$prom/api/v1/query" --data-urlencode "query=$query" |
    $PY -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else -1)'
}
prom_matches() { [ "$(prom_value)" = "$calls" ]; }
wait_for 30 "Prometheus to count $calls" prom_matches
counted=$(prom_value)
say "  PromQL $query = $counted; MarkText calls made by the inference server: $calls"
check "Prometheus in the demo counts exactly the requests made" test "$counted" = "$calls" -a "$calls" -ge $((TRAFFIC_COUNT * 3 / 4))
groups=$(curl -fsS "$prom/api/v1/rules" | $PY -c 'import json,sys; print(" ".join(sorted(g["name"] for g in json.load(sys.stdin)["data"]["groups"])))')
check "the demo's Prometheus loaded the Hallmark rules ($groups)" test "$groups" = "hallmark.alerts hallmark.recording"
check "hallmarkd's metrics published on 127.0.0.1:$METRICS_PORT" curl -fsS -o /dev/null "http://127.0.0.1:$METRICS_PORT/metrics"
s=$SECONDS
compose down -v >"$workdir/compose-down.log" 2>&1 || { tail -5 "$workdir/compose-down.log"; bad "podman-compose down"; }
podman volume ls -q | grep "^${PROJECT}_" | xargs -r podman volume rm -f >/dev/null 2>&1
compose_up=0
left=$(podman ps -a --format '{{.Names}}' | grep -c "^${PROJECT}_")
check "podman-compose down removed the demo ($((SECONDS - s)) s)" test "$left" = 0

# ------------------------------------------------------------- kube play ---
step "Kubernetes manifests with podman kube play"
# The podman variant, with the example key replaced by a fresh one.
kube=$workdir/hallmark-demo.yaml
fresh=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
sed "s/^\(    \)[0-9a-f]\{64\}$/\1$fresh/" deploy/k8s/podman/hallmark-demo.yaml >"$kube"
check "the example key is replaced by a fresh one for the run" sh -c "! grep -q 662c93c04d76 '$kube' && grep -q '$fresh' '$kube'"
kube_files+=("$kube")
if podman kube play "$kube" >"$workdir/kube-play.log" 2>&1; then
  ok "podman kube play deploy/k8s/podman/hallmark-demo.yaml"
else
  grep -v systemd "$workdir/kube-play.log" | tail -5; bad "podman kube play"
fi
wait_for 60 "hallmarkd in the pod to be ready" sh -c "podman logs inference-pod-0-hallmarkd 2>&1 | grep -q 'hallmarkd ready'"
podman logs inference-pod-0-hallmarkd 2>&1 | grep "hallmarkd ready" | sed 's/^/  /'
check "the sidecar answers gRPC health over the socket" \
  sh -c 'podman exec inference-pod-0-hallmarkd hallmark health --addr unix:/run/hallmark/hallmark.sock >/dev/null 2>&1'
fetch_py='import sys, urllib.request as u
print(u.urlopen("http://127.0.0.1:8080" + sys.argv[1], timeout=10).read().decode())'
wait_for 60 "the inference container to be ready" podman exec inference-pod-0-inference python3 -c "$fetch_py" /readyz
out=$(podman exec inference-pod-0-inference python3 -c "$fetch_py" "/v1/text?space=demo/assistant&prompt=pod" 2>&1)
say "  inference container -> sidecar: $(echo "$out" | json_field decision 2>/dev/null), key $(echo "$out" | json_field key_id 2>/dev/null)"
check "the inference container reaches the sidecar over the shared socket (marked)" \
  test "$(echo "$out" | json_field decision 2>/dev/null)" = DECISION_MARKED
check "both containers run as non-root with a read-only root" sh -c "
  [ \"\$(podman inspect inference-pod-0-hallmarkd --format '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}')\" = '10001:10001 true' ] &&
  [ \"\$(podman inspect inference-pod-0-inference --format '{{.HostConfig.ReadonlyRootfs}}')\" = true ] &&
  [ \"\$(podman exec inference-pod-0-inference id -u)\" = 10002 ]"
podman kube down "$kube" >/dev/null 2>&1
podman volume rm -f hallmark-socket hallmark-policy hallmark-keys >/dev/null 2>&1
kube_files=()
check "podman kube down removed the pod" sh -c "! podman pod exists inference-pod-0"

# What podman does with the native-sidecar manifest itself (shown, not failed).
native=$workdir/native.yaml
kubectl kustomize deploy/k8s/overlays/podman 2>/dev/null |
  node -e '
    const yaml = require(process.argv[1]);
    const docs = yaml.loadAll(require("fs").readFileSync(0, "utf8")).filter((d) => ["ConfigMap", "Deployment"].includes(d?.kind));
    for (const d of docs) { delete d.metadata.namespace;
      if (d.kind === "Deployment") d.spec.template.spec.volumes = d.spec.template.spec.volumes.map((v) => v.secret ? { name: v.name, emptyDir: {} } : v); }
    process.stdout.write(docs.map((d) => "---\n" + yaml.dump(d)).join(""));' \
  "$root/deploy/checks/node_modules/js-yaml" >"$native" 2>/dev/null
if [ -s "$native" ]; then
  kube_files+=("$native")
  if podman kube play "$native" >"$workdir/native.log" 2>&1; then
    say "  note: this podman accepted the native-sidecar Deployment"
  else
    say "  native-sidecar Deployment, as podman $(podman --version | awk '{print $3}') answers: $(grep -v systemd "$workdir/native.log" | grep -i error | head -1)"
  fi
  podman kube down "$native" >/dev/null 2>&1; podman pod rm -f inference-pod-0 >/dev/null 2>&1
  podman volume rm -f hallmark-socket hallmark-policy hallmark-keys >/dev/null 2>&1
  kube_files=()
fi

finish
