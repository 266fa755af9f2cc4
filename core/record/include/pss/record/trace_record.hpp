// The trace record: one test run (or one monitored block) as written to and
// read from NDJSON trace files. Field names follow pypss so its files can be
// analysed too; the fields after the pypss ones are pss's additions, which
// other readers ignore. C++17: this header is compiled into users' tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pss {

// One pss::metrics series a test touched during one run (see
// pss/metrics/test_window.hpp): its key is the series name with its tags,
// `cache.hits` or `db.query{table=users}`, and its value what the run did
// to it: a counter's change, a gauge's last value, a timing's mean seconds.
struct RecordMetric {
    std::string name;
    double value = 0.0;
};

// A record carries at most this many metrics (the first by key); more are
// left out so that one test cannot make records unbounded.
inline constexpr std::size_t max_record_metrics = 32;
inline constexpr std::size_t max_record_metric_name = 200;  // bytes of a key

struct TraceRecord {
    std::string name;    // test id, e.g. "MathTest.Adds"
    std::string module;  // grouping for per-suite scores
    std::int64_t run = 0;
    double timestamp = 0.0;  // start, seconds since the epoch

    double duration = 0.0;   // seconds, wall clock
    double cpu_time = 0.0;   // seconds, of the whole process
    double wait_time = 0.0;  // max(0, duration - cpu_time)

    double memory = 0.0;       // bytes: peak heap growth during the run, above the heap at its start
    double memory_diff = 0.0;  // bytes: live heap after minus before

    bool error = false;
    std::string exception_type;  // "assertion", "exception:std::runtime_error", "crash:SIGSEGV", "timeout"
    std::string exception_message;

    std::optional<std::string> branch_tag;  // path signature of this run

    std::string filename;
    std::int64_t lineno = 0;

    // Additions beyond pypss.
    std::string kind;          // "test", "block" or empty (pypss records)
    std::string parent;        // for a block: the test it ran in
    std::string failure_file;  // where the first failure was reported
    std::int64_t failure_line = 0;
    std::int64_t voluntary_context_switches = 0;
    std::int64_t involuntary_context_switches = 0;
    std::int64_t calls = 0;  // for a block: how many times it ran in this test run
    // Seconds the test's thread was ready to run but waited for a CPU (the
    // kernel's run delay): time other processes took, not the test's own.
    double run_delay = 0.0;
    // A warm-up run: its failure counts, its time and memory are not scored.
    bool warmup = false;
    // Seconds: the clock's resolution when coarser than the listener's (1 ms
    // for GoogleTest's own output); jitter below it cannot be measured.
    double timing_resolution = 0.0;

    // The pss::metrics series the run touched, sorted by key; at most
    // max_record_metrics. Scored when custom_metric_weights names them.
    std::vector<RecordMetric> metrics;

    // pypss system records (event-loop lag); they feed only the CC lag penalty.
    bool system_metric = false;
    std::optional<double> lag;  // seconds, from "metadata": {"lag": ...}
};

}  // namespace pss
