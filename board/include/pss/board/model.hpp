// What `pss board` shows, held in memory: the history's runs and, per test,
// one compact cell per run (PSS, sub-scores, verdict, failures, p50, p95),
// plus the details of a trace file (every run's duration, memory, failure
// and branch tag). Built once at start; the HTTP handlers only read it, so
// any page answers from memory whatever the size of the history.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "pss/ci/history_store.hpp"
#include "pss/config/config.hpp"

namespace pss::board {

struct Run {
    std::int64_t id = 0;  // the history's id; negative for a trace file
    double started_at = 0;
    std::string branch, commit, host, source;
    int pss = 0;
    SubScores breakdown;
    std::int64_t tests = 0;
    int gate_exit = 0;
    std::uint32_t verdicts[6] = {};  // per verdict_index()
};

// stable, unstable, flaky, failing, regressed, n/a
inline constexpr const char* verdict_names[6] = {"stable", "unstable", "flaky", "failing", "regressed", "n/a"};
std::uint8_t verdict_index(const std::string& verdict);

// One test in one run: 20 bytes, so 10,000 tests x 200 runs take 40 MB.
struct Cell {
    std::uint32_t run = 0;  // index into Model::runs
    std::uint8_t pss = 0;
    std::uint8_t verdict = 5;
    std::uint8_t sub[5] = {};  // sub-scores x 200, rounded
    std::uint16_t runs = 0, failures = 0;
    float p50 = 0, p95 = 0;
};

// A failed run's message and where it was reported (trace file only).
struct Failure {
    std::int64_t run = 0;
    std::string type, message, file;
    std::int64_t line = 0;
};

// Every run of a test as its records had it (trace file only), in run order,
// at most max_trace_runs.
struct TraceDetail {
    std::vector<float> durations, memory;
    std::vector<std::uint8_t> failed;
    std::vector<std::uint32_t> branch;  // index into branch_tags; 0 = no tag
    std::vector<std::string> branch_tags{""};
    std::vector<Failure> failures;  // the first max_failures
    std::vector<MetricStability> metrics;
};
inline constexpr std::size_t max_trace_runs = 5000;
inline constexpr std::size_t max_failures = 20;

struct Test {
    std::string name, module, binary, suite;
    std::string file;
    std::int64_t line = 0;
    std::vector<Cell> cells;  // oldest run first
    std::int32_t detail = -1;  // index into Model::details, or -1
};

struct Model {
    std::vector<Run> runs;  // oldest first
    std::vector<Test> tests;
    std::vector<TraceDetail> details;
    std::vector<std::string> suites;    // sorted, distinct
    std::vector<std::string> branches;  // most recent first
    std::string history_location;       // for the page's header; empty without history
    std::string traces_location;
    double load_seconds = 0;
};

// Reads every run of the history into the model (the newest `max_runs`).
void load_history(Model& model, const ci::HistoryStore& store, std::size_t max_runs = 1000);

// Scores a trace file (as pss analyze does) and adds it as the newest run,
// branch "traces", with every test's per-run details. Throws TraceFileError.
void load_traces(Model& model, const std::filesystem::path& file, const Config& config);

// Sorts suites and branches, indexes names: call after loading.
void finish(Model& model);

}  // namespace pss::board
