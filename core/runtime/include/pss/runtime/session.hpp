// The per-process monitoring session that test-framework listeners drive:
// begin_test / note_failure / end_test around every test case. It measures
// the run (wall, CPU and wait time, heap, context switches, branch tags,
// monitored blocks) and appends one trace record per finished test.
//
// Configured from the environment on first use:
//   PSS_TRACE_FILE     append records to this file (nothing is written without it)
//   PSS_COLLECTOR      also send them to this collector: file:PATH, redis://..., grpc://...
//                      (pss/collect/collector.hpp); PSS_RUN_ID names the run they belong to
//   PSS_RUN            run index base, for runners that start one process per run
//   PSS_PROGRESS_FILE  names the test running now ("<run>\t<test name>"), for a runner
//   PSS_MAPPED_FILES   =1: the trace and progress files are this process's alone (pss-run
//                      gives each process its own): it creates them and writes them through
//                      shared mappings, no system call per test (progress_file.hpp,
//                      collectors/src/mapped_file_collector.hpp)
//   PSS_NO_PERF_EVENT  =1: read CPU time, context switches and run delay with system calls at
//                      every test, never through the perf event page (usage_clock.hpp)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pss/record/trace_record.hpp"

namespace pss::runtime {

struct Settings {
    std::string trace_file;     // empty: no records
    std::string progress_file;  // empty: no progress file
    std::int64_t run_base = 0;
    std::string collector;      // a collector URI (PSS_COLLECTOR); empty: none
    std::string run_id;         // carried with collected records (shards of one run share it)
    double collector_flush_seconds = 5;  // at exit, sending what is buffered waits at most this
    bool mapped_files = false;  // PSS_MAPPED_FILES=1
    bool perf_event = true;     // false: PSS_NO_PERF_EVENT=1
};

// Settings from PSS_TRACE_FILE, PSS_PROGRESS_FILE, PSS_RUN and the others above. Problems (a
// PSS_RUN that is not a non-negative integer) are appended to `warnings`.
Settings settings_from_environment(std::vector<std::string>& warnings);

struct TestIdentity {
    std::string name;    // "Suite.Test", or the Catch2 test case name
    std::string module;  // "<binary>.<Suite>" or "<binary>.<source file stem>"
    std::string filename;
    std::int64_t lineno = 0;
};

// The same as views, valid during begin_test(): the session copies them into
// buffers it keeps, so that starting a test allocates nothing. The name is
// name_prefix + "." + name when name_prefix is not empty; module likewise.
struct TestIdentityView {
    std::string_view name_prefix, name;
    std::string_view module_prefix, module;
    std::string_view filename;
    std::int64_t lineno = 0;
};

enum class TestStatus { passed, failed, skipped };

// How a listener attaches the metrics a test touched (pss/metrics/test_window.hpp)
// to its record without the session depending on pss::metrics: `open` runs
// before the test's measurements start, `close` after they stop and fills
// the record's metrics (at most max_record_metrics).
struct MetricsProbe {
    void (*open)() = nullptr;
    void (*close)(std::vector<RecordMetric>& out) = nullptr;
};

class Session {
public:
    // The process-wide session, configured from the environment on first call.
    // Never destroyed, so tests running during static destruction stay safe.
    static Session& instance();

    // Replaces the configuration (embedding, unit tests). Not while a test runs.
    void configure(const Settings& settings);

    bool tracing() const noexcept;  // records are being written
    bool active() const noexcept;   // tracing, or a progress file is kept

    // run_base + iteration.
    std::int64_t run_index() const noexcept;
    void set_iteration(std::int64_t iteration) noexcept;

    // The program's base name (argv[0] without directories), for `module`.
    const std::string& program_name() const noexcept;

    // Installs the metrics probe (listeners do, once, before the first test).
    void set_metrics_probe(MetricsProbe probe) noexcept;

    // Test life cycle, called by the listener on the thread that runs tests.
    void begin_test(const TestIdentityView& identity);
    void begin_test(const TestIdentity& identity);
    // Keeps the first failure of the running test; later ones are ignored.
    // Thread-safe (assertions may fail on other threads). `type` is e.g.
    // "assertion", "exception:std::runtime_error", "crash:SIGSEGV".
    void note_failure(std::string_view type, std::string_view message, std::string_view file,
                      std::int64_t line);
    void note_skip(std::string_view message);
    // Ends the running test and writes its record. With `hold_record` the
    // record is kept back until write_held_record(), so that its memory_diff
    // can be taken once the framework has freed what it kept for the test:
    // Catch2 keeps a tracker per SECTION and GENERATE of a test case until
    // the next test case starts.
    void end_test(TestStatus status, bool hold_record = false);
    // Writes the record end_test(..., true) kept back, with memory_diff = the
    // live heap now minus at the test's start, less `framework_bytes` (the
    // framework's own part of that difference, when known; may be negative).
    // Nothing happens when no record is held. begin_test() and the end of the
    // program call it too.
    void write_held_record(std::int64_t framework_bytes = 0);
    // The test did not finish normally and no record should be written (the
    // process is being terminated from outside); the progress file is kept.
    void abandon_test() noexcept;
    bool test_running() const noexcept;

    // Writes the block records collected outside any test (done at exit too).
    void flush_blocks_outside_tests();
    // Sends what the collector still buffers (waiting at most
    // collector_flush_seconds) and says on stderr how many records were
    // dropped and why. Done at exit; no records are collected afterwards.
    // A mapped trace file is cut to its records (later ones are appended).
    void finish_collection();

    // Where CPU time and context switches come from: "perf_event" (no system
    // call while the test thread stays on the CPU) or "getrusage" (every
    // test). And how many readings so far made system calls.
    const char* usage_source() const noexcept;
    std::uint64_t usage_system_call_readings() const noexcept;

    // Used by PSS_BRANCH / pss::branch.
    void add_branch(std::string_view tag, std::uint64_t generation);

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

private:
    Session();
    ~Session();
    struct State;
    std::unique_ptr<State> state_;
};

// The demangled type of the exception being handled right now (call it from
// inside a catch block or a callback made from one), or "" when there is none.
std::string current_exception_type_name();

}  // namespace pss::runtime
