#!/usr/bin/env bash
# Sets up pss on a fresh Debian 12 machine, idempotently:
#   ./setup.sh demo   install dependencies, build, run the demo
#   ./setup.sh test   install dependencies, build, run every test (CTest)
# Other verbs: deps (install only), build (deps + build).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

BUILD_DIR=${PSS_BUILD_DIR:-build}
JOBS=${PSS_JOBS:-$(nproc 2>/dev/null || echo 2)}
PACKAGES=(
  g++ cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev catch2 libbenchmark-dev
  nlohmann-json3-dev libfmt-dev libsqlite3-dev libcli11-dev libtomlplusplus-dev
  libsimdjson-dev libfast-float-dev libcurl4-openssl-dev zlib1g-dev libzstd-dev
  libxml2-dev cmark-gfm chromium
  libcpp-httplib-dev prometheus-alertmanager
  libpq-dev postgresql libhiredis-dev redis-server libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
)

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

case "${1:-}" in
  deps) install_deps ;;
  build) install_deps; build ;;
  test)
    install_deps; build
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 300
    ;;
  demo)
    install_deps; build
    PSS="$BUILD_DIR/runner/pss" BUILD_DIR="$BUILD_DIR" examples/demo.sh
    ;;
  *)
    echo "usage: $0 demo|test   (also: deps, build)" >&2
    exit 2
    ;;
esac
