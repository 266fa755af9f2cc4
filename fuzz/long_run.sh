#!/usr/bin/env bash
# The long run of the fuzz targets (README, "Fuzzing"): each target in turn
# for SECONDS (default 600), from its seed corpus and dictionary, on one core.
# What a target finds is kept in BUILD/long/<target>/ (the corpus it grew,
# crash-*/leak-*/timeout-* inputs, log.txt); exit 1 if any target found one.
#   fuzz/long_run.sh [-b BUILD] [-s SECONDS] [target ...]
# BUILD (default build-fuzz) is a clang build with PSS_BUILD_FUZZERS=ON.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

BUILD=build-fuzz
SECONDS_EACH=600
while getopts "b:s:" opt; do
  case $opt in
    b) BUILD=$OPTARG ;;
    s) SECONDS_EACH=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD] [-s SECONDS] [target ...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(trace_records results_json catch2_xml gtest_output config)

failed=0
for t in "${TARGETS[@]}"; do
  fuzzer="$BUILD/fuzz/fuzz_$t"
  if [ ! -x "$fuzzer" ]; then
    echo "long_run: $fuzzer is missing; build it: cmake --build $BUILD --target fuzzers" >&2
    exit 2
  fi
  out="$BUILD/long/$t"
  mkdir -p "$out/corpus"
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  "$fuzzer" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/" "${dict[@]}" "$out/corpus" "fuzz/corpus/$t" >"$out/log.txt" 2>&1
  rc=$?
  # The last status line: executions, coverage (cov: edges, ft: features), corpus.
  status=$(grep -E '^#[0-9]+' "$out/log.txt" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log.txt")
  if [ $rc -eq 0 ]; then
    echo "$t: no finding; ${execs:-?} executions in ${SECONDS_EACH}s; last: ${status}"
  else
    failed=1
    echo "$t: FINDING (exit $rc); see $out/log.txt and $(ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* 2>/dev/null | head -1)"
  fi
done
exit $failed
