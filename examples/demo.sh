#!/usr/bin/env bash
# The demo: score the example traces. Called by ./setup.sh demo.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
PSS=${PSS:-build/runner/pss}
mkdir -p .pss
"$PSS" analyze --trace-file examples/traces/sample.ndjson --json .pss/demo-analysis.json
echo
echo "demo: JSON report written to .pss/demo-analysis.json"
