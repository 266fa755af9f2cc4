// The SQLite history backend: one file, WAL mode and a busy timeout so
// parallel CI jobs on one machine can store at once. The default.
#pragma once

#include <filesystem>

#include "pss/ci/history_store.hpp"

struct sqlite3;

namespace pss::ci {

class SqliteHistory final : public HistoryStore {
public:
    // Opens (creating it and its directory) the database at `path` and
    // migrates its schema. `busy_timeout_ms` bounds waiting for other writers.
    explicit SqliteHistory(const std::filesystem::path& path, int busy_timeout_ms = 15000);
    ~SqliteHistory() override;
    SqliteHistory(const SqliteHistory&) = delete;
    SqliteHistory& operator=(const SqliteHistory&) = delete;

    std::int64_t insert(const StoredRun& run, const std::vector<StoredTest>& tests) override;
    bool contains(const StoredRun& run) const override;
    std::vector<StoredRun> runs(const RunQuery& query) const override;
    std::vector<StoredTest> test_history(const std::string& name, const RunQuery& query) const override;
    std::vector<StoredTest> tests_of_run(std::int64_t run_id) const override;
    AlertClaim claim_alert(const std::string& key, double now, double cooldown_seconds) override;
    void release_alert(const std::string& key, const std::optional<double>& previous) override;
    std::string location() const override { return path_.string(); }

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    void exec(const char* sql) const;
    void migrate();

    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
};

}  // namespace pss::ci
