#!/usr/bin/env bash
# Installs the Debian bookworm packages Hallmark builds, tests and runs with.
# Idempotent: packages already installed are skipped, and nothing is fetched
# outside the Debian archive. Needs root (or sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config ccache clang-format clang-tidy
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev prometheus-cpp-dev libcivetweb-dev libssl-dev libyaml-cpp-dev
  # C2PA manifests: CBOR (zlib for PNG chunk CRCs comes with libpng-dev)
  libcbor-dev
  # text receipts: Ed25519 signing
  libsodium-dev
  # image codecs
  libspng-dev libpng-dev libjpeg62-turbo-dev libturbojpeg0-dev libwebp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # end-to-end tests: an independent gRPC client, promtool and a real scrape
  grpc-proto python3 python3-grpcio python3-protobuf prometheus curl
  # certificates for the TLS tests; an independent JWS verifier for receipts
  openssl python3-cryptography
  # deployment checks: `docker-compose config` validates the compose files
  docker-compose
  # end-to-end image tests: an independent codec (Pillow) and arrays
  python3-pil python3-numpy
  # benchmark plots (bench/plot_latency.py)
  python3-matplotlib
  # fuzzing and sanitizers
  clang-14 libclang-rt-14-dev
)

missing=()
# The Markdown rendering check runs on Node.js with npm. Any installed Node
# (Debian's nodejs + npm, or a vendor build that bundles npm) will do, so the
# packages are added only when the commands are missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
