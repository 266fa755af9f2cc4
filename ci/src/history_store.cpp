#include "pss/ci/history_store.hpp"
#include "pss/ci/regression.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace pss::ci {

namespace {

// A prepared statement that finalizes itself.
class Statement {
public:
    Statement(sqlite3* db, const char* sql, const std::filesystem::path& file) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw HistoryError(fmt::format("history database '{}': {}", file.string(), sqlite3_errmsg(db)));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
    Statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    Statement& bind(int i, int v) { return check(sqlite3_bind_int(stmt_, i, v)); }
    Statement& bind(int i, const std::string& v) {
        return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement& bind_blob(int i, const void* data, std::size_t size) {
        return check(sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT));
    }
    // SQLITE_ROW or SQLITE_DONE; anything else throws.
    int step() {
        const int rc = sqlite3_step(stmt_);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw HistoryError(sqlite3_errmsg(db_));
        return rc;
    }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    double real(int c) const { return sqlite3_column_double(stmt_, c); }
    std::int64_t integer(int c) const { return sqlite3_column_int64(stmt_, c); }
    std::string text(int c) const {
        const auto* p = sqlite3_column_text(stmt_, c);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)))
                 : std::string();
    }
    std::vector<double> doubles(int c) const {
        std::vector<double> out(static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)) / sizeof(double));
        if (!out.empty()) std::memcpy(out.data(), sqlite3_column_blob(stmt_, c), out.size() * sizeof(double));
        return out;
    }

private:
    Statement& check(int rc) {
        if (rc != SQLITE_OK) throw HistoryError(sqlite3_errmsg(db_));
        return *this;
    }
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

SubScores scores_at(const Statement& s, int first) {
    return {s.real(first), s.real(first + 1), s.real(first + 2), s.real(first + 3), s.real(first + 4)};
}

constexpr const char* schema_v1 = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  started_at REAL NOT NULL,
  commit_sha TEXT NOT NULL DEFAULT '', branch TEXT NOT NULL DEFAULT '', ci_run_id TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '', config_hash TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
  pss INTEGER NOT NULL, ts REAL, ms REAL, ev REAL, be REAL, cc REAL,
  tests INTEGER NOT NULL, gate_exit INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_branch_time ON runs(branch, started_at);
CREATE TABLE IF NOT EXISTS test_results (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL, module TEXT NOT NULL, binary TEXT NOT NULL DEFAULT '',
  pss INTEGER NOT NULL, ts REAL, ms REAL, ev REAL, be REAL, cc REAL,
  verdict TEXT NOT NULL, runs INTEGER NOT NULL, failures INTEGER NOT NULL,
  p50 REAL, p95 REAL, durations BLOB,
  PRIMARY KEY (run_id, module, name));
CREATE INDEX IF NOT EXISTS test_results_by_name ON test_results(name, run_id);
)sql";

// Version 2: when each alert was last sent, so that concurrent and later runs
// share one cooldown; and each test row carries its run's time, so that one
// test's trend is read newest first from an index and stops at the limit
// instead of sorting every run the test ever had.
constexpr const char* schema_v2 = R"sql(
CREATE TABLE IF NOT EXISTS alert_state (key TEXT PRIMARY KEY, sent_at REAL NOT NULL);
ALTER TABLE test_results ADD COLUMN started_at REAL NOT NULL DEFAULT 0;
UPDATE test_results SET started_at = (SELECT r.started_at FROM runs r WHERE r.id = test_results.run_id);
DROP INDEX IF EXISTS test_results_by_name;
CREATE INDEX test_results_by_name_time ON test_results(name, started_at, run_id);
)sql";

}  // namespace

HistoryStore::HistoryStore(const std::filesystem::path& path, int busy_timeout_ms) : path_(path) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw HistoryError(fmt::format("cannot open history database '{}': {}. Check the path (storage_uri in "
                                       "pss.toml) and that its directory is writable.",
                                       path.string(), why));
    }
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    try {
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=NORMAL");
        exec("PRAGMA foreign_keys=ON");
        migrate();
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

HistoryStore::~HistoryStore() {
    if (db_) sqlite3_close(db_);
}

void HistoryStore::exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string why = err ? err : sqlite3_errmsg(db_);
        sqlite3_free(err);
        if (why.find("locked") != std::string::npos || why.find("busy") != std::string::npos)
            why += " (another pss process holds the database; retry, or raise the busy timeout)";
        throw HistoryError(fmt::format("history database '{}': {}", path_.string(), why));
    }
}

void HistoryStore::migrate() {
    // The schema version lives in SQLite's user_version; each step is one transaction.
    exec("BEGIN IMMEDIATE");
    try {
        std::int64_t version = 0;
        {
            // Finalized before the schema changes: SQLite will not drop an
            // index while a statement of the connection is still running.
            Statement v(db_, "PRAGMA user_version", path_);
            v.step();
            version = v.integer(0);
        }
        if (version > history_schema_version)
            throw HistoryError(fmt::format("history database '{}' has schema version {}, newer than this pss "
                                           "understands ({}); upgrade pss",
                                           path_.string(), version, history_schema_version));
        if (version < 1) exec(schema_v1);
        if (version < 2) exec(schema_v2);
        if (version < history_schema_version)
            exec(fmt::format("PRAGMA user_version = {}", history_schema_version).c_str());
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::int64_t HistoryStore::store(double started_at, const RunContext& c, const Score& overall,
                                 const std::vector<TestResult>& tests, int gate_exit) {
    exec("BEGIN IMMEDIATE");
    try {
        Statement run(db_,
                      "INSERT INTO runs(started_at, commit_sha, branch, ci_run_id, host, config_hash, source, pss, "
                      "ts, ms, ev, be, cc, tests, gate_exit) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      path_);
        const SubScores& b = overall.breakdown;
        run.bind(1, started_at).bind(2, c.commit).bind(3, c.branch).bind(4, c.ci_run_id).bind(5, c.host);
        run.bind(6, c.config_hash).bind(7, c.source).bind(8, overall.pss).bind(9, b.timing_stability);
        run.bind(10, b.memory_stability).bind(11, b.error_volatility).bind(12, b.branching_entropy);
        run.bind(13, b.concurrency_chaos).bind(14, static_cast<std::int64_t>(tests.size())).bind(15, gate_exit);
        run.step();
        const std::int64_t id = sqlite3_last_insert_rowid(db_);

        Statement test(db_,
                       "INSERT OR REPLACE INTO test_results(run_id, name, module, binary, pss, ts, ms, ev, be, cc, "
                       "verdict, runs, failures, p50, p95, durations, started_at) "
                       "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       path_);
        for (const auto& t : tests) {
            const SubScores& s = t.score.breakdown;
            test.bind(1, id).bind(2, t.name).bind(3, t.module).bind(4, t.binary).bind(5, t.score.pss);
            test.bind(6, s.timing_stability).bind(7, s.memory_stability).bind(8, s.error_volatility);
            test.bind(9, s.branching_entropy).bind(10, s.concurrency_chaos);
            test.bind(11, std::string(to_string(t.verdict))).bind(12, static_cast<std::int64_t>(t.runs));
            test.bind(13, static_cast<std::int64_t>(t.failures)).bind(14, t.duration.p50).bind(15, t.duration.p95);
            const std::vector<double> durations = measured_durations(t);
            test.bind_blob(16, durations.data(), durations.size() * sizeof(double));
            test.bind(17, started_at);
            test.step();
            test.reset();
        }
        exec("COMMIT");
        return id;
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::vector<StoredRun> HistoryStore::runs(const RunQuery& q) const {
    Statement s(db_,
                "SELECT id, started_at, commit_sha, branch, ci_run_id, host, config_hash, source, pss, ts, ms, ev, "
                "be, cc, tests, gate_exit FROM runs WHERE started_at >= ? AND (? = '' OR branch = ?) "
                "ORDER BY started_at DESC, id DESC LIMIT ?",
                path_);
    const std::string branch = q.branch.value_or("");
    s.bind(1, q.since.value_or(0.0)).bind(2, branch).bind(3, branch).bind(4, static_cast<std::int64_t>(q.limit));
    std::vector<StoredRun> out;
    while (s.step() == SQLITE_ROW) {
        StoredRun r;
        r.id = s.integer(0);
        r.started_at = s.real(1);
        r.context = {s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.text(7)};
        r.pss = static_cast<int>(s.integer(8));
        r.breakdown = scores_at(s, 9);
        r.tests = s.integer(14);
        r.gate_exit = static_cast<int>(s.integer(15));
        out.push_back(std::move(r));
    }
    return out;
}

namespace {

constexpr const char* test_columns =
    "SELECT t.run_id, r.started_at, r.branch, r.commit_sha, t.name, t.module, t.binary, t.verdict, t.pss, t.ts, "
    "t.ms, t.ev, t.be, t.cc, t.runs, t.failures, t.p50, t.p95, t.durations FROM test_results t JOIN runs r ON "
    "r.id = t.run_id ";

StoredTest read_test(const Statement& s) {
    StoredTest t;
    t.run_id = s.integer(0);
    t.started_at = s.real(1);
    t.branch = s.text(2);
    t.commit = s.text(3);
    t.name = s.text(4);
    t.module = s.text(5);
    t.binary = s.text(6);
    t.verdict = s.text(7);
    t.pss = static_cast<int>(s.integer(8));
    t.breakdown = scores_at(s, 9);
    t.runs = s.integer(14);
    t.failures = s.integer(15);
    t.p50 = s.real(16);
    t.p95 = s.real(17);
    t.durations = s.doubles(18);
    return t;
}

}  // namespace

std::vector<StoredTest> HistoryStore::test_history(const std::string& name, const RunQuery& q) const {
    Statement s(db_,
                (std::string(test_columns) +
                 "WHERE t.name = ? AND t.started_at >= ? AND (? = '' OR r.branch = ?) "
                 "ORDER BY t.started_at DESC, t.run_id DESC LIMIT ?")
                    .c_str(),
                path_);
    const std::string branch = q.branch.value_or("");
    s.bind(1, name).bind(2, q.since.value_or(0.0)).bind(3, branch).bind(4, branch);
    s.bind(5, static_cast<std::int64_t>(q.limit));
    std::vector<StoredTest> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_test(s));
    return out;
}

std::vector<StoredTest> HistoryStore::tests_of_run(std::int64_t run_id) const {
    Statement s(db_, (std::string(test_columns) + "WHERE t.run_id = ? ORDER BY t.module, t.name").c_str(), path_);
    s.bind(1, run_id);
    std::vector<StoredTest> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_test(s));
    return out;
}

HistoryStore::AlertClaim HistoryStore::claim_alert(const std::string& key, double now, double cooldown_seconds) {
    exec("BEGIN IMMEDIATE");
    try {
        AlertClaim claim;
        {
            Statement last(db_, "SELECT sent_at FROM alert_state WHERE key = ?", path_);
            last.bind(1, key);
            if (last.step() == SQLITE_ROW) claim.previous = last.real(0);
        }
        claim.granted = !claim.previous || now - *claim.previous >= cooldown_seconds;
        if (claim.granted) {
            Statement set(db_, "INSERT OR REPLACE INTO alert_state(key, sent_at) VALUES(?, ?)", path_);
            set.bind(1, key).bind(2, now);
            set.step();
        }
        exec("COMMIT");
        return claim;
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void HistoryStore::release_alert(const std::string& key, const std::optional<double>& previous) {
    if (previous) {
        Statement s(db_, "INSERT OR REPLACE INTO alert_state(key, sent_at) VALUES(?, ?)", path_);
        s.bind(1, key).bind(2, *previous);
        s.step();
    } else {
        Statement s(db_, "DELETE FROM alert_state WHERE key = ?", path_);
        s.bind(1, key);
        s.step();
    }
}

}  // namespace pss::ci
