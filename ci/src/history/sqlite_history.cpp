// The SQLite history backend (pss/ci/sqlite_history.hpp).
#include "pss/ci/sqlite_history.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>

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

// SIZE_MAX (everything) would wrap to -1, which SQLite also reads as "no limit".
std::int64_t sql_limit(std::size_t limit) {
    return limit > static_cast<std::size_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(limit);
}

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

SqliteHistory::SqliteHistory(const std::filesystem::path& path, int busy_timeout_ms) : path_(path) {
    std::error_code ec;
    // A directory, a device or a pipe is never a history: SQLite would put
    // its journal next to it (/dev/null-journal) or fail with a vague message.
    if (const auto st = std::filesystem::status(path, ec);
        !ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
        throw HistoryError(fmt::format("history database '{}' is not a regular file{}. Give a file path with --db "
                                       "or storage_uri (default .pss/history.db).",
                                       path.string(), std::filesystem::is_directory(st) ? " but a directory" : ""));
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

SqliteHistory::~SqliteHistory() {
    if (db_) sqlite3_close(db_);
}

void SqliteHistory::exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string why = err ? err : sqlite3_errmsg(db_);
        sqlite3_free(err);
        if (why.find("locked") != std::string::npos || why.find("busy") != std::string::npos)
            why += " (another process held the database past the busy timeout; retry when it is done)";
        else if (why.find("not a database") != std::string::npos || why.find("malformed") != std::string::npos)
            why += " (the file is not a pss history or is corrupt; move it away to start a new history)";
        else if (why.find("readonly") != std::string::npos || why.find("read-only") != std::string::npos)
            why += " (the file or its directory is read-only; give a writable path with --db or storage_uri)";
        throw HistoryError(fmt::format("history database '{}': {}", path_.string(), why));
    }
}

void SqliteHistory::migrate() {
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

std::int64_t SqliteHistory::insert(const StoredRun& r, const std::vector<StoredTest>& tests) {
    exec("BEGIN IMMEDIATE");
    try {
        Statement run(db_,
                      "INSERT INTO runs(started_at, commit_sha, branch, ci_run_id, host, config_hash, source, pss, "
                      "ts, ms, ev, be, cc, tests, gate_exit) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      path_);
        const RunContext& c = r.context;
        const SubScores& b = r.breakdown;
        run.bind(1, r.started_at).bind(2, c.commit).bind(3, c.branch).bind(4, c.ci_run_id).bind(5, c.host);
        run.bind(6, c.config_hash).bind(7, c.source).bind(8, r.pss).bind(9, b.timing_stability);
        run.bind(10, b.memory_stability).bind(11, b.error_volatility).bind(12, b.branching_entropy);
        run.bind(13, b.concurrency_chaos).bind(14, r.tests).bind(15, r.gate_exit);
        run.step();
        const std::int64_t id = sqlite3_last_insert_rowid(db_);

        Statement test(db_,
                       "INSERT OR REPLACE INTO test_results(run_id, name, module, binary, pss, ts, ms, ev, be, cc, "
                       "verdict, runs, failures, p50, p95, durations, started_at) "
                       "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       path_);
        for (const auto& t : tests) {
            const SubScores& s = t.breakdown;
            test.bind(1, id).bind(2, t.name).bind(3, t.module).bind(4, t.binary).bind(5, t.pss);
            test.bind(6, s.timing_stability).bind(7, s.memory_stability).bind(8, s.error_volatility);
            test.bind(9, s.branching_entropy).bind(10, s.concurrency_chaos);
            test.bind(11, t.verdict).bind(12, t.runs).bind(13, t.failures).bind(14, t.p50).bind(15, t.p95);
            test.bind_blob(16, t.durations.data(), t.durations.size() * sizeof(double));
            test.bind(17, r.started_at);
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

bool SqliteHistory::contains(const StoredRun& r) const {
    Statement s(db_,
                "SELECT 1 FROM runs WHERE started_at = ? AND host = ? AND source = ? AND commit_sha = ? AND branch = ? "
                "LIMIT 1",
                path_);
    s.bind(1, r.started_at).bind(2, r.context.host).bind(3, r.context.source).bind(4, r.context.commit);
    s.bind(5, r.context.branch);
    return s.step() == SQLITE_ROW;
}

std::vector<StoredRun> SqliteHistory::runs(const RunQuery& q) const {
    Statement s(db_,
                "SELECT id, started_at, commit_sha, branch, ci_run_id, host, config_hash, source, pss, ts, ms, ev, "
                "be, cc, tests, gate_exit FROM runs WHERE started_at >= ? AND (? = '' OR branch = ?) "
                "ORDER BY started_at DESC, id DESC LIMIT ?",
                path_);
    const std::string branch = q.branch.value_or("");
    s.bind(1, q.since.value_or(0.0)).bind(2, branch).bind(3, branch).bind(4, sql_limit(q.limit));
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

std::vector<StoredTest> SqliteHistory::test_history(const std::string& name, const RunQuery& q) const {
    Statement s(db_,
                (std::string(test_columns) +
                 "WHERE t.name = ? AND t.started_at >= ? AND (? = '' OR r.branch = ?) "
                 "ORDER BY t.started_at DESC, t.run_id DESC LIMIT ?")
                    .c_str(),
                path_);
    const std::string branch = q.branch.value_or("");
    s.bind(1, name).bind(2, q.since.value_or(0.0)).bind(3, branch).bind(4, branch);
    s.bind(5, sql_limit(q.limit));
    std::vector<StoredTest> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_test(s));
    return out;
}

std::vector<StoredTest> SqliteHistory::tests_of_run(std::int64_t run_id) const {
    Statement s(db_, (std::string(test_columns) + "WHERE t.run_id = ? ORDER BY t.module, t.name").c_str(), path_);
    s.bind(1, run_id);
    std::vector<StoredTest> out;
    while (s.step() == SQLITE_ROW) out.push_back(read_test(s));
    return out;
}

HistoryStore::AlertClaim SqliteHistory::claim_alert(const std::string& key, double now, double cooldown_seconds) {
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

void SqliteHistory::release_alert(const std::string& key, const std::optional<double>& previous) {
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
