// The history of pss runs: one row per run, one per test per run, and the
// alert cooldowns. One interface, two backends chosen by storage_uri / --db:
// a SQLite file (the default, nothing to set up) or a PostgreSQL database
// (`postgresql://user@host:port/db`) that a fleet of CI runners shares.
// Both are safe for concurrent writers and store a run in one transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pss/scoring/results.hpp"

namespace pss::ci {

inline constexpr int history_schema_version = 2;  // 2: alert cooldowns

// The database cannot be opened or reached, is locked past the timeout, is
// corrupt or newer than this pss; the message says which database and what
// to do.
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

// A run's results as the history keeps them (what HistoryStore::store inserts).
struct StoredRows {
    StoredRun run;
    std::vector<StoredTest> tests;
};
StoredRows as_stored_rows(double started_at, const RunContext& context, const Score& overall,
                          const std::vector<TestResult>& tests, int gate_exit);

struct RunQuery {
    std::size_t limit = 10;  // SIZE_MAX: all
    std::optional<double> since;  // seconds since the epoch
    std::optional<std::string> branch;
};

class HistoryStore {
public:
    virtual ~HistoryStore() = default;

    // Stores a run and all its tests in one transaction; returns the run id.
    std::int64_t store(double started_at, const RunContext& context, const Score& overall,
                       const std::vector<TestResult>& tests, int gate_exit);
    // Stores a run as it was read from another history (import), in one
    // transaction. `run.id` and each test's run_id are ignored; the new id is returned.
    virtual std::int64_t insert(const StoredRun& run, const std::vector<StoredTest>& tests) = 0;
    // True when a run with the same start time, host, source, commit and
    // branch is stored already (an import given the same file twice).
    virtual bool contains(const StoredRun& run) const = 0;

    // Newest first.
    virtual std::vector<StoredRun> runs(const RunQuery& query) const = 0;
    // One test's results, newest first.
    virtual std::vector<StoredTest> test_history(const std::string& name, const RunQuery& query) const = 0;
    virtual std::vector<StoredTest> tests_of_run(std::int64_t run_id) const = 0;

    // Alert cooldowns, shared by every process using this database. Claims
    // the alert `key` (rule and branch) for sending at `now` unless it was
    // sent less than `cooldown_seconds` before; atomic, so of two racing
    // runs only one sends. `previous`: when it was last sent.
    struct AlertClaim {
        bool granted = false;
        std::optional<double> previous;
    };
    virtual AlertClaim claim_alert(const std::string& key, double now, double cooldown_seconds) = 0;
    // The alert reached no channel: forget the claim, so the next run tries again.
    virtual void release_alert(const std::string& key, const std::optional<double>& previous) = 0;

    // For messages: the file, or the URI without its password.
    virtual std::string location() const = 0;
};

// postgresql:// or postgres://
bool is_postgres_uri(const std::string& uri);

// The URI with any password replaced by "***", for messages and logs.
std::string redact_uri(const std::string& uri);

// Opens the history at `uri`: a PostgreSQL URI, or else a SQLite file path
// (its directory and file created). Creates or migrates the schema. Waits up
// to `busy_timeout_ms` for other writers (SQLite) or for the connection
// (PostgreSQL, at least 1 s). Throws HistoryError.
std::unique_ptr<HistoryStore> open_history_store(const std::string& uri, int busy_timeout_ms = 15000);

// Whether there may be history at `uri` without creating anything: a SQLite
// file that exists and is not empty, or any PostgreSQL URI (the server is
// asked on open).
bool history_may_exist(const std::string& uri);

}  // namespace pss::ci
