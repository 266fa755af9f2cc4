// Runs a test binary's tests the planned number of times, whatever happens
// to the processes: crashes, hangs, exit() mid-suite. Every (test, run) ends
// with a record: the listener's, one read from the framework's output, or a
// fault record naming what went wrong.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "pss/record/trace_record.hpp"
#include "pss/scoring/results.hpp"
#include "test_binary.hpp"

namespace pss::runner {

enum class DataMode { automatic, listener, native, isolate };

struct RunPlan {
    int repeat = 10;
    // Run indices are first_run .. first_run + repeat - 1 (more runs of tests
    // that already have some: pss run's adaptive repetition).
    int first_run = 0;
    // Warm-up runs: run and counted for failures, not scored for time and
    // memory (TraceRecord::warmup). Where a process repeats tests in-process
    // (GoogleTest with a listener), its first `warmup` repetitions; where
    // every run is a process of its own, the first `warmup` runs of all.
    int warmup = 1;
    double timeout = 60.0;  // seconds per test case
    DataMode mode = DataMode::automatic;
    bool fresh_process = false;  // one process per repetition even where in-process repetition exists
    int jobs = 1;                // parallel processes
    bool shuffle = false;
    unsigned seed = 0;
    std::string filter;                    // --filter: gtest pattern or Catch2 test spec
    std::vector<std::string> binary_args;  // passed to every run of the binaries
    // Progress: runs finished so far (each test as it finishes, also while
    // a process is still running), runs planned (0: unknown here), runs
    // failed so far. Called from worker threads, possibly concurrently.
    std::function<void(std::size_t, std::size_t, std::size_t)> on_progress;
};

struct RunOutput {
    std::string name;
    std::int64_t run = 0;
    std::string output;
};

struct BinaryOutcome {
    std::vector<TraceRecord> records;  // kind "test", every run of every test
    std::vector<RunOutput> outputs;    // output of failed runs
    std::string mode;                  // "listener", "native", "isolate"
    std::vector<std::string> notes;    // what the user should know (faults, fallbacks)
    std::size_t processes = 0;         // test processes started
    // Processes that exited non-zero or by a signal while no test ran and
    // none of their tests failed; one entry per kind of ending.
    std::vector<ProcessFailure> process_failures;
};

// Throws cli::CommandError (exit 3) when the binary runs none of its tests.
BinaryOutcome execute(const TestBinary& binary, const RunPlan& plan, const std::filesystem::path& work_dir);

// Runs one test alone, in a fresh process per run, with the run indices it
// failed with in the suite; returns how many of those runs failed again.
// For telling order dependence from flakiness.
int failures_in_isolation(const TestBinary& binary, const RunPlan& plan, const std::string& test,
                          const std::vector<std::int64_t>& runs, const std::filesystem::path& work_dir);

// Runs one test alone `runs` times (in one process where the framework
// repeats in-process, else a process per run), with run indices from 0, so
// the first plan.warmup runs are warm-ups. For confirming a timing or memory
// instability away from the rest of the suite.
std::vector<TraceRecord> run_alone(const TestBinary& binary, const RunPlan& plan, const std::string& test, int runs,
                                   const std::filesystem::path& work_dir);

// The module name the runner gives a test when no listener names it.
std::string default_module(const TestBinary& binary, const std::string& test, const std::string& file = {});

}  // namespace pss::runner
