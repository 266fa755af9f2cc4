// The PostgreSQL history backend (libpq): one database that every CI runner
// of a fleet shares. Runs are stored in one transaction each; concurrent
// writers never wait for each other; schema creation and migration are
// serialised by an advisory lock, alert claims by one advisory lock per key.
#pragma once

#include <string>

#include "pss/ci/history_store.hpp"

struct pg_conn;

namespace pss::ci {

class PostgresHistory final : public HistoryStore {
public:
    // Connects (waiting at most `timeout_ms`, at least a second, unless the
    // URI sets connect_timeout) and creates or migrates the schema.
    PostgresHistory(const std::string& uri, int timeout_ms);
    ~PostgresHistory() override;
    PostgresHistory(const PostgresHistory&) = delete;
    PostgresHistory& operator=(const PostgresHistory&) = delete;

    std::int64_t insert(const StoredRun& run, const std::vector<StoredTest>& tests) override;
    bool contains(const StoredRun& run) const override;
    std::vector<StoredRun> runs(const RunQuery& query) const override;
    std::vector<StoredTest> test_history(const std::string& name, const RunQuery& query) const override;
    std::vector<StoredTest> tests_of_run(std::int64_t run_id) const override;
    AlertClaim claim_alert(const std::string& key, double now, double cooldown_seconds) override;
    void release_alert(const std::string& key, const std::optional<double>& previous) override;
    std::string location() const override { return location_; }

private:
    void migrate();

    std::string location_;  // the URI without its password
    pg_conn* conn_ = nullptr;
};

}  // namespace pss::ci
