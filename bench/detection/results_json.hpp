// Reading pss-run's results JSON (reports/SCHEMA.md). All of the benchmark's
// knowledge of that format is here and in results_json.cpp, so a schema
// change is a change to these two files only.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace detection {

struct TestResult {
    std::string name;     // Suite.Test
    std::string verdict;  // stable, unstable, flaky, failing, regressed, n/a
    int runs = 0;
    int failures = 0;
    double p50_seconds = 0;
    std::vector<std::string> observation_kinds;  // e.g. "leaks", "latency tail"
    std::vector<std::string> failure_kinds;      // e.g. "assertion", "crash:SIGSEGV", "timeout"
};

// The kind of every observation, whether the field is today's array of
// strings ("leaks: heap grew ...": the text before the first ':') or an
// array of objects ({"kind": "leak", "text": "..."}).
std::vector<std::string> observation_kinds(const nlohmann::json& observations);

// The tests of a results file; throws std::runtime_error when the file cannot
// be read or is not a results file.
std::vector<TestResult> read_results(const std::string& path);

}  // namespace detection
