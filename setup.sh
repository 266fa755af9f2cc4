#!/usr/bin/env bash
# Sets up pss on a fresh Debian 12 machine, idempotently:
#   ./setup.sh demo    install what the demo needs, build pss and the example
#                      suites only, run the demo
#   ./setup.sh test    install everything, build everything (tests and
#                      benchmarks too), run every test (CTest), then build
#                      the fuzz targets with clang and run each briefly
#   ./setup.sh build   install everything, build everything
#   ./setup.sh deps    install everything, build nothing
# Environment: PSS_BUILD_DIR (default build; the fuzz targets go to
# PSS_BUILD_DIR-fuzz), PSS_JOBS (parallel compile and test jobs; default: the
# number of cores; use fewer on a busy machine).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

BUILD_DIR=${PSS_BUILD_DIR:-build}
FUZZ_BUILD_DIR=$BUILD_DIR-fuzz
JOBS=${PSS_JOBS:-$(nproc 2>/dev/null || echo 2)}
# What pss itself and the example suites need.
BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev catch2
  nlohmann-json3-dev libfmt-dev libsqlite3-dev libcli11-dev libtomlplusplus-dev
  libsimdjson-dev libfast-float-dev libcurl4-openssl-dev zlib1g-dev libzstd-dev
  libcpp-httplib-dev libre2-dev
  # history in PostgreSQL, the Redis and gRPC collectors (the pss command links them)
  libpq-dev libhiredis-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
)
# What the tests and benchmarks add: real consumers of the reports (libxml2
# with the JUnit schemas, junitparser, GitHub's Markdown renderer, Chromium),
# an HTTP receiver and Alertmanager for the alert channels, Google Benchmark.
TEST_PACKAGES=(
  libbenchmark-dev libxml2-dev cmark-gfm chromium python3-junitparser
  libcpp-httplib-dev prometheus-alertmanager prometheus prometheus-pushgateway
  postgresql redis-server
  # The fuzz targets: clang, libFuzzer and the sanitizers' runtimes (which
  # clang only recommends), llvm-symbolizer for readable stacks in findings.
  clang libclang-rt-14-dev llvm
)
DEMO_TARGETS=(pss gtest_examples gtest_examples_plain catch2_examples catch2_examples_plain)

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# playwright-core drives the machine's Chromium in the HTML report's test (no
# browser download); it lives in the build folder, never in the sources.
install_npm_packages() {
  command -v npm >/dev/null || install_packages npm || return 0
  if [ ! -d "$BUILD_DIR/npm/node_modules/playwright-core" ]; then
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$BUILD_DIR/npm" --no-save --no-audit --no-fund \
      playwright-core@1.65.1 ||
      echo "setup: could not install playwright-core from npm; the HTML report's click-through test will be skipped" >&2
  fi
  # pss board's browser test: its own locked npm project (tests/browser), installed with npm ci.
  if [ ! -d "$BUILD_DIR/tests/browser/node_modules/playwright-core" ]; then
    mkdir -p "$BUILD_DIR/tests/browser"
    cp tests/browser/package.json tests/browser/package-lock.json "$BUILD_DIR/tests/browser/"
    (cd "$BUILD_DIR/tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) ||
      echo "setup: npm ci failed; the board's browser test will try again and fail with npm's message" >&2
  fi
}

configure() {  # $1: ON to build tests and benchmarks
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DPSS_BUILD_TESTS="$1" -DPSS_BUILD_BENCH="$1" -DPSS_BUILD_EXAMPLES=ON
}

# The fuzz targets with libFuzzer, ASan and UBSan in a clang build of their
# own (the main build stays g++ and replays their seeds), each run briefly.
fuzz_short_run() {
  if ! command -v clang++ >/dev/null; then
    echo "setup: no clang++: the fuzz targets only replayed their seeds (in $BUILD_DIR)" >&2
    return 0
  fi
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    "${launcher[@]}" -DPSS_BUILD_FUZZERS=ON -DPSS_BUILD_TESTS=OFF -DPSS_BUILD_EXAMPLES=OFF -DPSS_BUILD_BENCH=OFF
  cmake --build "$FUZZ_BUILD_DIR" -j "$JOBS" --target fuzzers
  ctest --test-dir "$FUZZ_BUILD_DIR" --output-on-failure -j "$JOBS" -L fuzz
}

case "${1:-}" in
  deps) install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" ;;
  build)
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    configure ON
    cmake --build "$BUILD_DIR" -j "$JOBS"
    ;;
  test)
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    configure ON
    cmake --build "$BUILD_DIR" -j "$JOBS"
    install_npm_packages
    # The fuzz targets first, so that the last line counts the whole suite.
    fuzz_short_run
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 600
    ;;
  demo)
    install_packages "${BUILD_PACKAGES[@]}"
    configure OFF
    cmake --build "$BUILD_DIR" -j "$JOBS" --target "${DEMO_TARGETS[@]}"
    PSS="$BUILD_DIR/runner/pss" BUILD_DIR="$BUILD_DIR" examples/demo.sh
    ;;
  *)
    echo "usage: $0 demo|test|build|deps   (PSS_JOBS=N limits parallel jobs, PSS_BUILD_DIR=DIR the build folder)" >&2
    exit 2
    ;;
esac
