// pss results for Prometheus: the text exposition format (0.0.4) of a run's
// results, pushed to a Pushgateway (storage_backend = "prometheus") or
// served from the history by `pss exporter` (storage_mode = "pull").
//
// Series (all gauges), labels in braces:
//   pss_run_pss{branch}                          the run's overall PSS, 0-100
//   pss_run_subscore{branch,subscore}            the run's sub-scores, 0-1 (timing_stability, ...)
//   pss_run_tests{branch,verdict}                tests per verdict (stable, unstable, flaky, failing, regressed, n/a)
//   pss_run_gate_exit_code{branch}               0 passed, 1 failed, 3 could not run
//   pss_run_timestamp_seconds{branch}            when the run started
//   pss_run_tests_exported{branch}               how many tests the pss_test_* series below cover
//   pss_test_pss{branch,binary,suite,test}        each test's PSS
//   pss_test_pass_rate{branch,binary,suite,test}  passed runs / runs, 0-1
//   pss_test_duration_p95_seconds{branch,binary,suite,test}
//
// Cardinality is bounded: per branch, at most `max_tests` tests (the worst
// first: lowest PSS, then name), so a suite of 10,000 tests gives at most
// 3 x max_tests + 14 series per branch; the exporter serves at most
// `max_branches` branches (the most recently run). Label values are made
// valid UTF-8, cut at 200 bytes and escaped (\\, \", \n).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pss/ci/history_store.hpp"

namespace pss::ci {

struct ExpositionLimits {
    std::size_t max_tests = 500;
    std::size_t max_branches = 20;
};

// A label value as the exposition format needs it (escaped, bounded, UTF-8).
std::string prometheus_label_value(const std::string& value);

// One run as a whole exposition (# HELP, # TYPE and the series above).
std::string prometheus_text(const StoredRun& run, const std::vector<StoredTest>& tests,
                            const ExpositionLimits& limits);

// Replaces the group job="pss", branch=<run's branch> on the Pushgateway at
// `host_port` ("localhost:9091", or an http:// URL) with this run's series
// (HTTP PUT, so tests gone from the run disappear). Throws HistoryError with
// the gateway's answer when the push fails.
void push_to_gateway(const std::string& host_port, const StoredRun& run, const std::vector<StoredTest>& tests,
                     const ExpositionLimits& limits, double timeout_seconds = 10);

// What `pss exporter` serves: the newest run of each of the most recently
// run branches in the history, with the header.
std::string prometheus_exposition(const HistoryStore& store, const ExpositionLimits& limits);

}  // namespace pss::ci
