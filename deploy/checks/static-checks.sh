#!/usr/bin/env bash
# The fast, offline checks of deploy/ (seconds; no container runtime). CTest
# runs each as its own test (tests/deploy/CMakeLists.txt); scripts/container-test.sh
# runs them all first.
#
#   deploy/checks/static-checks.sh [CHECK...]      # default: all
#   deploy/checks/static-checks.sh --write-podman  # regenerate deploy/k8s/podman/
#
# Checks: rules dashboard k8s compose policy dockerfile
# Environment: HALLMARKD, HALLMARK_CLI (binaries; default build/...).
# Exit codes: 0 passed, 1 failed, 77 skipped (a tool is missing; the reason is
# printed), as CTest's SKIP_RETURN_CODE.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
HALLMARKD=${HALLMARKD:-$root/build/sidecar/hallmarkd}
HALLMARK_CLI=${HALLMARK_CLI:-$root/build/tools/hallmark/hallmark}

say() { printf '%s\n' "$*"; }
skip() { say "SKIP $check: $*"; return 77; }

# npm packages pinned in deploy/checks/package-lock.json, installed once
# (under a lock: CTest may run several checks at the same time). The marker
# file is written only after `npm ci` has finished: node_modules/ itself
# appears while npm is still extracting, and a check that saw it then would
# read half-written packages.
npm_ready() {
  command -v node >/dev/null || { say "node is not installed"; return 1; }
  local marker="$here/node_modules/.hallmark-npm-ci-done"
  if [ ! -f "$marker" ]; then
    (flock 9
     [ -f "$marker" ] ||
       { (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) &&
           touch "$marker"; }
    ) 9>"${TMPDIR:-/tmp}/hallmark-deploy-npm.lock" || return 1
  fi
}

render_podman() {
  kubectl kustomize deploy/k8s/overlays/podman | node "$here/render-podman.mjs"
}

check_rules() {
  command -v promtool >/dev/null || { skip "promtool not installed (Debian: prometheus)"; return; }
  promtool check rules deploy/prometheus/hallmark-rules.yaml &&
    promtool test rules deploy/prometheus/tests/hallmark-rules.test.yaml &&
    promtool check config --syntax-only deploy/compose/prometheus.yml
}

check_dashboard() {
  [ -x "$HALLMARKD" ] || { skip "no hallmarkd binary at $HALLMARKD (set HALLMARKD)"; return; }
  npm_ready || return 1
  node "$here/check-dashboard.mjs" --hallmarkd "$HALLMARKD"
}

check_k8s() {
  command -v kubectl >/dev/null || { skip "kubectl (with kustomize) not installed"; return; }
  npm_ready || return 1
  local ok=0 dir
  for dir in base overlays/example overlays/podman; do
    printf 'kustomize %-18s ' "$dir:"
    kubectl kustomize "deploy/k8s/$dir" | node "$here/validate-k8s.mjs" --native || ok=1
  done
  printf 'podman variant:             '
  node "$here/validate-k8s.mjs" deploy/k8s/podman/hallmark-demo.yaml || ok=1
  if ! diff -u deploy/k8s/podman/hallmark-demo.yaml <(render_podman) >/tmp/hallmark-podman-diff.$$ 2>&1; then
    say "FAIL deploy/k8s/podman/hallmark-demo.yaml is out of date with the kustomize sources:"
    head -40 /tmp/hallmark-podman-diff.$$
    say "regenerate it: deploy/checks/static-checks.sh --write-podman"
    ok=1
  else
    say "podman variant is up to date with deploy/k8s/overlays/podman"
  fi
  rm -f /tmp/hallmark-podman-diff.$$
  if ! cmp -s deploy/demo/policy.yaml deploy/k8s/base/policy.yaml; then
    say "FAIL deploy/k8s/base/policy.yaml differs from deploy/demo/policy.yaml (copy it over)"
    ok=1
  fi
  return $ok
}

check_compose() {
  command -v docker-compose >/dev/null || { skip "docker-compose not installed (Debian: docker-compose)"; return; }
  # docker-compose 1.29 validates the file against the Compose schema without
  # an engine: an unknown key or a wrong type exits 1.
  docker-compose -f deploy/compose/compose.yaml config -q &&
    docker-compose -f deploy/compose/compose.yaml -f deploy/compose/compose.test.yaml config -q &&
    say "compose files valid (docker-compose $(docker-compose version --short 2>/dev/null))"
}

check_policy() {
  [ -x "$HALLMARK_CLI" ] || { skip "no hallmark CLI at $HALLMARK_CLI (set HALLMARK_CLI)"; return; }
  "$HALLMARK_CLI" policy check deploy/demo/policy.yaml &&
    "$HALLMARK_CLI" policy check deploy/k8s/base/policy.yaml &&
    "$HALLMARK_CLI" policy check --keys deploy/k8s/overlays/example/keys deploy/k8s/base/policy.yaml
}

check_dockerfile() {
  npm_ready || return 1
  local ok=0 f out
  for f in deploy/docker/Dockerfile deploy/demo/Dockerfile deploy/demo/prometheus.Dockerfile; do
    out=$(cd "$here" && npx --no-install dockerfile-utils lint "$root/$f" 2>&1)
    if [ -n "$out" ]; then say "FAIL $f (dockerfile-utils lint):"; say "$out"; ok=1; fi
  done
  # Image rules: numeric non-root USER, HEALTHCHECK, OCI labels.
  for f in deploy/docker/Dockerfile deploy/demo/Dockerfile; do
    grep -Eq '^USER [1-9][0-9]*(:[1-9][0-9]*)?$' "$f" || { say "FAIL $f: no numeric non-root USER"; ok=1; }
    grep -q '^HEALTHCHECK ' "$f" || { say "FAIL $f: no HEALTHCHECK"; ok=1; }
    grep -q 'org.opencontainers.image.title=' "$f" || { say "FAIL $f: no OCI labels"; ok=1; }
  done
  # The build stage uses the install script's package names.
  local pkgs p
  pkgs=$(awk '/AS build/{b=1} /^FROM .* AS runtime/{b=0} b' deploy/docker/Dockerfile |
         sed -n '/apt-get install/,/rm -rf/p' | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9+.-]+$' |
         grep -vE '^(apt-get|update|install|rm|env)$')
  for p in $pkgs; do
    grep -v '^\s*#' scripts/install-deps.sh | grep -Fqw -- "$p" ||
      { say "FAIL deploy/docker/Dockerfile installs $p, which scripts/install-deps.sh does not list"; ok=1; }
  done
  [ $ok -eq 0 ] && say "Dockerfiles: lint clean; non-root USER, HEALTHCHECK, OCI labels; build packages ($(echo $pkgs | wc -w)) all in scripts/install-deps.sh"
  return $ok
}

if [ "${1:-}" = "--write-podman" ]; then
  npm_ready && render_podman > deploy/k8s/podman/hallmark-demo.yaml &&
    say "wrote deploy/k8s/podman/hallmark-demo.yaml"
  exit $?
fi

checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(rules dashboard k8s compose policy dockerfile)
status=0
for check in "${checks[@]}"; do
  say "== deploy check: $check"
  start=$EPOCHREALTIME
  "check_$check"
  rc=$?
  took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) say "PASS $check (${took} s)" ;;
    77) [ $status -eq 0 ] && [ ${#checks[@]} -eq 1 ] && status=77 ;;
    *) say "FAIL $check (${took} s)"; status=1 ;;
  esac
done
exit $status
