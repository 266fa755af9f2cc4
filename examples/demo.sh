#!/usr/bin/env bash
# The demo: pss-run on the example GoogleTest and Catch2 suites, with and
# without the pss listeners. Called by ./setup.sh demo.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
BUILD_DIR=${BUILD_DIR:-build}
PSS_RUN="$BUILD_DIR/runner/pss-run"
mkdir -p .pss

echo "== pss-run --repeat 10 --fail-below 80 on the example suites (built with the pss listeners)"
set +e
"$PSS_RUN" --repeat 10 --fail-below 80 --json .pss/demo-results.json --traces .pss/demo-traces.ndjson \
  --html .pss/demo-report.html --junit .pss/demo-junit.xml --markdown .pss/demo-report.md \
  --pr-comment .pss/demo-pr-comment.md \
  --store-history --db .pss/demo-history.db \
  -- "$BUILD_DIR/examples/gtest_examples" "$BUILD_DIR/examples/catch2_examples"
status=$?
set -e
echo
if [ "$status" -eq 1 ]; then
  echo "demo: the gate failed (exit 1), as it should: the examples hold a flaky, a leaking and a slow-tailed test."
  echo "      (On a busy machine the slow-tailed test may be judged noisy rather than unstable.)"
else
  echo "demo: unexpected exit code $status" >&2
  exit "$status"
fi

echo
echo "== the same suites without any pss code (native mode: the frameworks' own output)"
set +e
"$PSS_RUN" --repeat 5 --no-confirm -- "$BUILD_DIR/examples/gtest_examples_plain" | tail -n 4
set -e

echo
echo "== pss history: the demo's stored runs (each demo run adds one and is compared with the ones before)"
"$BUILD_DIR/runner/pss" history --db .pss/demo-history.db --limit 5

echo
echo "demo: results in .pss/demo-results.json, raw traces in .pss/demo-traces.ndjson,"
echo "      reports in .pss/demo-report.html (open it in a browser), .pss/demo-junit.xml, .pss/demo-report.md,"
echo "      .pss/demo-pr-comment.md (a pull request comment)"
echo "      (score the traces again with: $BUILD_DIR/runner/pss analyze --trace-file .pss/demo-traces.ndjson)"
