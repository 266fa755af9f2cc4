// The history of pss runs in SQLite: one row per run, one per test per run.
// Safe for concurrent writers (WAL, a busy timeout, one transaction per run).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pss/scoring/results.hpp"

struct sqlite3;

namespace pss::ci {

inline constexpr int history_schema_version = 2;  // 2: alert cooldowns

// The database cannot be opened, is locked past the timeout, or is not a
// pss history; the message says which file and what to do.
class HistoryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RunContext {
    std::string commit, branch, ci_run_id, host, config_hash;
    std::string source;  // what was scored: binaries, or a trace file
};

struct StoredRun {
    std::int64_t id = 0;
    double started_at = 0;
    RunContext context;
    int pss = 0;
    SubScores breakdown;
    std::int64_t tests = 0;
    int gate_exit = 0;
};

struct StoredTest {
    std::int64_t run_id = 0;
    double started_at = 0;
    std::string branch, commit;
    std::string name, module, binary, verdict;
    int pss = 0;
    SubScores breakdown;
    std::int64_t runs = 0, failures = 0;
    double p50 = 0, p95 = 0;
    std::vector<double> durations;  // per run, for statistical tests
};

struct RunQuery {
    std::size_t limit = 10;
    std::optional<double> since;  // seconds since the epoch
    std::optional<std::string> branch;
};

class HistoryStore {
public:
    // Opens (creating it and its directory) the database at `path` and
    // migrates its schema. `busy_timeout_ms` bounds waiting for other writers.
    explicit HistoryStore(const std::filesystem::path& path, int busy_timeout_ms = 15000);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    // Stores a run and all its tests in one transaction; returns the run id.
    std::int64_t store(double started_at, const RunContext& context, const Score& overall,
                       const std::vector<TestResult>& tests, int gate_exit);

    // Newest first.
    std::vector<StoredRun> runs(const RunQuery& query) const;
    // One test's results, newest first.
    std::vector<StoredTest> test_history(const std::string& name, const RunQuery& query) const;
    std::vector<StoredTest> tests_of_run(std::int64_t run_id) const;

    // Alert cooldowns, shared by every process using this database. Claims
    // the alert `key` (rule and branch) for sending at `now` unless it was
    // sent less than `cooldown_seconds` before; atomic, so of two racing
    // runs only one sends. `previous`: when it was last sent.
    struct AlertClaim {
        bool granted = false;
        std::optional<double> previous;
    };
    AlertClaim claim_alert(const std::string& key, double now, double cooldown_seconds);
    // The alert reached no channel: forget the claim, so the next run tries again.
    void release_alert(const std::string& key, const std::optional<double>& previous);

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    void exec(const char* sql) const;
    void migrate();

    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
};

}  // namespace pss::ci
