// The PostgreSQL history backend (postgres_history.hpp), through libpq.
#include "postgres_history.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "../shared_library.hpp"

namespace pss::ci {

namespace {

// libpq's functions, bound when a PostgreSQL history is first opened (libpq
// is not linked: shared_library.hpp). Each pointer has the name of the
// function it stands for, so the code below reads as plain libpq.
decltype(&::PQclear) PQclear = nullptr;
decltype(&::PQconnectdbParams) PQconnectdbParams = nullptr;
decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
decltype(&::PQexec) PQexec = nullptr;
decltype(&::PQexecParams) PQexecParams = nullptr;
decltype(&::PQfinish) PQfinish = nullptr;
decltype(&::PQfreemem) PQfreemem = nullptr;
decltype(&::PQgetisnull) PQgetisnull = nullptr;
decltype(&::PQgetlength) PQgetlength = nullptr;
decltype(&::PQgetvalue) PQgetvalue = nullptr;
decltype(&::PQntuples) PQntuples = nullptr;
decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
decltype(&::PQresultStatus) PQresultStatus = nullptr;
decltype(&::PQstatus) PQstatus = nullptr;
decltype(&::PQtransactionStatus) PQtransactionStatus = nullptr;
decltype(&::PQunescapeBytea) PQunescapeBytea = nullptr;

// Loads libpq once; "" when it is there, else what to install.
const std::string& load_libpq() {
    static const std::string error = [] {
        static SharedLibrary pq({"libpq.so.5", "libpq.so"}, "libpq5");
        const bool bound = pq.bind(PQclear, "PQclear") &&
                           pq.bind(PQconnectdbParams, "PQconnectdbParams") &&
                           pq.bind(PQerrorMessage, "PQerrorMessage") &&
                           pq.bind(PQexec, "PQexec") &&
                           pq.bind(PQexecParams, "PQexecParams") &&
                           pq.bind(PQfinish, "PQfinish") &&
                           pq.bind(PQfreemem, "PQfreemem") &&
                           pq.bind(PQgetisnull, "PQgetisnull") &&
                           pq.bind(PQgetlength, "PQgetlength") &&
                           pq.bind(PQgetvalue, "PQgetvalue") &&
                           pq.bind(PQntuples, "PQntuples") &&
                           pq.bind(PQresultErrorMessage, "PQresultErrorMessage") &&
                           pq.bind(PQresultStatus, "PQresultStatus") &&
                           pq.bind(PQstatus, "PQstatus") &&
                           pq.bind(PQtransactionStatus, "PQtransactionStatus") &&
                           pq.bind(PQunescapeBytea, "PQunescapeBytea");
        return bound ? std::string() : pq.error();
    }();
    return error;
}

// Any number below 2^63 would do: the lock that serialises schema changes of
// every pss process using the database.
constexpr const char* schema_lock = "SELECT pg_advisory_xact_lock(7301162016)";

// "binary" is a reserved word in PostgreSQL: quoted wherever it is named.
// Version 2, the SQLite schema's equivalent (sqlite_history.cpp): the
// columns and indexes are the same, so both backends answer alike.
constexpr const char* schema_v2 = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id BIGSERIAL PRIMARY KEY,
  started_at DOUBLE PRECISION NOT NULL,
  commit_sha TEXT NOT NULL DEFAULT '', branch TEXT NOT NULL DEFAULT '', ci_run_id TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '', config_hash TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
  pss INTEGER NOT NULL, ts DOUBLE PRECISION, ms DOUBLE PRECISION, ev DOUBLE PRECISION, be DOUBLE PRECISION,
  cc DOUBLE PRECISION, tests BIGINT NOT NULL, gate_exit INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_branch_time ON runs(branch, started_at);
CREATE TABLE IF NOT EXISTS test_results (
  run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL, module TEXT NOT NULL, "binary" TEXT NOT NULL DEFAULT '',
  pss INTEGER NOT NULL, ts DOUBLE PRECISION, ms DOUBLE PRECISION, ev DOUBLE PRECISION, be DOUBLE PRECISION,
  cc DOUBLE PRECISION, verdict TEXT NOT NULL, runs BIGINT NOT NULL, failures BIGINT NOT NULL,
  p50 DOUBLE PRECISION, p95 DOUBLE PRECISION, durations BYTEA, started_at DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, module, name));
CREATE INDEX IF NOT EXISTS test_results_by_name_time ON test_results(name, started_at, run_id);
CREATE TABLE IF NOT EXISTS alert_state (key TEXT PRIMARY KEY, sent_at DOUBLE PRECISION NOT NULL);
)sql";

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// One parameter: text, or NULL, or raw bytes (bytea).
struct Param {
    std::optional<std::string> value;
    bool binary = false;
};
Param text(std::string v) { return {std::move(v), false}; }
Param number(double v) { return {fmt::format("{}", v), false}; }
Param number(std::int64_t v) { return {std::to_string(v), false}; }
Param number(int v) { return {std::to_string(v), false}; }
Param null() { return {std::nullopt, false}; }
Param bytes(const std::vector<double>& v) {
    return {std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double)), true};
}

std::string trimmed(const char* message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (auto& c : s)
        if (c == '\n') c = ' ';
    return s;
}

class Connection {
public:
    Connection(PGconn* conn, const std::string& location) : conn_(conn), location_(location) {}

    Result run(const std::string& sql, const std::vector<Param>& params = {}) const {
        std::vector<const char*> values;
        std::vector<int> lengths, formats;
        for (const auto& p : params) {
            values.push_back(p.value ? p.value->data() : nullptr);
            lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
            formats.push_back(p.binary ? 1 : 0);
        }
        Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                              lengths.data(), formats.data(), 0));
        const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            std::string why = trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_));
            if (why.empty()) why = trimmed(PQerrorMessage(conn_));
            if (PQstatus(conn_) == CONNECTION_BAD) why += " (the connection to the server was lost; retry when it is back)";
            throw HistoryError(fmt::format("history database '{}': {}", location_, why));
        }
        return r;
    }

    // Several statements without parameters (the schema): the simple query protocol.
    void script(const char* sql) const {
        Result r(PQexec(conn_, sql));
        if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
            throw HistoryError(fmt::format("history database '{}': {}", location_,
                                           trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_))));
    }

    // Rolls back an open transaction when a statement failed; harmless otherwise.
    void rollback() const noexcept {
        if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE)
            PQclear(PQexec(conn_, "ROLLBACK"));
    }

    // Runs `body` in one transaction.
    template <class F>
    auto transaction(F&& body) const {
        run("BEGIN");
        try {
            if constexpr (std::is_void_v<decltype(body())>) {
                body();
                run("COMMIT");
            } else {
                auto out = body();
                run("COMMIT");
                return out;
            }
        } catch (...) {
            rollback();
            throw;
        }
    }

private:
    PGconn* conn_;
    const std::string& location_;
};

std::string cell(const PGresult* r, int row, int col) {
    return PQgetisnull(r, row, col) ? std::string() : std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col));
}
double real(const PGresult* r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0.0 : std::strtod(PQgetvalue(r, row, col), nullptr);
}
std::int64_t integer(const PGresult* r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0 : std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
}
SubScores scores_at(const PGresult* r, int row, int first) {
    return {real(r, row, first), real(r, row, first + 1), real(r, row, first + 2), real(r, row, first + 3),
            real(r, row, first + 4)};
}
// A bytea column in text form: "\x" and two hex digits per byte.
std::vector<double> doubles(const PGresult* r, int row, int col) {
    if (PQgetisnull(r, row, col)) return {};
    std::size_t length = 0;
    unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col)), &length);
    std::vector<double> out(raw ? length / sizeof(double) : 0);
    if (!out.empty()) std::memcpy(out.data(), raw, out.size() * sizeof(double));
    PQfreemem(raw);
    return out;
}

Param limit_param(std::size_t limit) {
    return limit > static_cast<std::size_t>(INT64_MAX) ? null() : number(static_cast<std::int64_t>(limit));
}

constexpr const char* test_columns =
    "SELECT t.run_id, r.started_at, r.branch, r.commit_sha, t.name, t.module, t.\"binary\", t.verdict, t.pss, t.ts, "
    "t.ms, t.ev, t.be, t.cc, t.runs, t.failures, t.p50, t.p95, t.durations FROM test_results t JOIN runs r ON "
    "r.id = t.run_id ";

std::vector<StoredTest> read_tests(const PGresult* r) {
    std::vector<StoredTest> out;
    for (int i = 0; i < PQntuples(r); ++i) {
        StoredTest t;
        t.run_id = integer(r, i, 0);
        t.started_at = real(r, i, 1);
        t.branch = cell(r, i, 2);
        t.commit = cell(r, i, 3);
        t.name = cell(r, i, 4);
        t.module = cell(r, i, 5);
        t.binary = cell(r, i, 6);
        t.verdict = cell(r, i, 7);
        t.pss = static_cast<int>(integer(r, i, 8));
        t.breakdown = scores_at(r, i, 9);
        t.runs = integer(r, i, 14);
        t.failures = integer(r, i, 15);
        t.p50 = real(r, i, 16);
        t.p95 = real(r, i, 17);
        t.durations = doubles(r, i, 18);
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace

PostgresHistory::PostgresHistory(const std::string& uri, int timeout_ms) : location_(redact_uri(uri)) {
    if (const std::string& missing = load_libpq(); !missing.empty())
        throw HistoryError(fmt::format("cannot open history database '{}': {}", location_, missing));
    // Defaults first: the URI's own settings (expanded from dbname) override them.
    const std::string timeout = std::to_string(std::max(1, timeout_ms / 1000));
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {timeout.c_str(), "pss", uri.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
        PQfinish(conn_);
        conn_ = nullptr;
        throw HistoryError(fmt::format("cannot connect to history database '{}': {}. Check storage_uri (or --db), "
                                       "that the server is running and reachable, and the credentials (PGPASSWORD "
                                       "or ~/.pgpass).",
                                       location_, why));
    }
    try {
        const Connection db(conn_, location_);
        // "relation already exists, skipping" and the like are not for the user.
        db.run("SET client_min_messages = warning");
        db.run(fmt::format("SET lock_timeout = {}", std::max(1000, timeout_ms)));
        migrate();
    } catch (...) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw;
    }
}

PostgresHistory::~PostgresHistory() { PQfinish(conn_); }

void PostgresHistory::migrate() {
    const Connection db(conn_, location_);
    auto version = [&]() -> std::int64_t {
        const Result exists = db.run("SELECT to_regclass('pss_schema') IS NOT NULL");
        if (cell(exists.get(), 0, 0) != "t") return 0;
        const Result v = db.run("SELECT coalesce(max(version), 0) FROM pss_schema");
        return integer(v.get(), 0, 0);
    };
    auto check = [&](std::int64_t v) {
        if (v > history_schema_version)
            throw HistoryError(fmt::format("history database '{}' has schema version {}, newer than this pss "
                                           "understands ({}); upgrade pss",
                                           location_, v, history_schema_version));
    };
    const std::int64_t seen = version();  // the common case: nothing to do, no lock taken
    check(seen);
    if (seen == history_schema_version) return;
    db.transaction([&] {
        db.run(schema_lock);
        const std::int64_t v = version();  // another process may have migrated meanwhile
        check(v);
        if (v >= history_schema_version) return;
        db.run("CREATE TABLE IF NOT EXISTS pss_schema (version INTEGER NOT NULL)");
        db.script(schema_v2);  // version 2 is the first PostgreSQL schema
        db.run("DELETE FROM pss_schema");
        db.run("INSERT INTO pss_schema(version) VALUES($1)", {number(history_schema_version)});
    });
}

std::int64_t PostgresHistory::insert(const StoredRun& r, const std::vector<StoredTest>& tests) {
    const Connection db(conn_, location_);
    // SQLite's INSERT OR REPLACE keeps the last row of a (module, name)
    // given twice; one multi-row INSERT may not name a key twice.
    std::map<std::pair<std::string, std::string>, const StoredTest*> unique;
    for (const auto& t : tests) unique[{t.module, t.name}] = &t;

    return db.transaction([&] {
        const RunContext& c = r.context;
        const SubScores& b = r.breakdown;
        const Result id_row = db.run(
            "INSERT INTO runs(started_at, commit_sha, branch, ci_run_id, host, config_hash, source, pss, ts, ms, ev, "
            "be, cc, tests, gate_exit) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
            {number(r.started_at), text(c.commit), text(c.branch), text(c.ci_run_id), text(c.host),
             text(c.config_hash), text(c.source), number(r.pss), number(b.timing_stability),
             number(b.memory_stability), number(b.error_volatility), number(b.branching_entropy),
             number(b.concurrency_chaos), number(r.tests), number(r.gate_exit)});
        const std::int64_t id = integer(id_row.get(), 0, 0);

        // Many rows per statement: one round trip per 500 tests, not per test.
        constexpr std::size_t columns = 17, rows_per_statement = 500;
        auto it = unique.begin();
        while (it != unique.end()) {
            std::string sql =
                "INSERT INTO test_results(run_id, name, module, \"binary\", pss, ts, ms, ev, be, cc, verdict, runs, "
                "failures, p50, p95, durations, started_at) VALUES ";
            std::vector<Param> params;
            for (std::size_t row = 0; row < rows_per_statement && it != unique.end(); ++row, ++it) {
                const StoredTest& t = *it->second;
                const SubScores& s = t.breakdown;
                sql += row ? ",(" : "(";
                for (std::size_t col = 0; col < columns; ++col)
                    sql += fmt::format("{}${}", col ? "," : "", params.size() + col + 1);
                sql += ')';
                for (Param p : {number(id), text(t.name), text(t.module), text(t.binary), number(t.pss),
                                number(s.timing_stability), number(s.memory_stability), number(s.error_volatility),
                                number(s.branching_entropy), number(s.concurrency_chaos), text(t.verdict),
                                number(t.runs), number(t.failures), number(t.p50), number(t.p95),
                                bytes(t.durations), number(r.started_at)})
                    params.push_back(std::move(p));
            }
            db.run(sql, params);
        }
        return id;
    });
}

bool PostgresHistory::contains(const StoredRun& r) const {
    const Connection db(conn_, location_);
    const Result found = db.run(
        "SELECT 1 FROM runs WHERE started_at = $1 AND host = $2 AND source = $3 AND commit_sha = $4 AND branch = $5 "
        "LIMIT 1",
        {number(r.started_at), text(r.context.host), text(r.context.source), text(r.context.commit),
         text(r.context.branch)});
    return PQntuples(found.get()) > 0;
}

std::vector<StoredRun> PostgresHistory::runs(const RunQuery& q) const {
    const Connection db(conn_, location_);
    const Result r = db.run(
        "SELECT id, started_at, commit_sha, branch, ci_run_id, host, config_hash, source, pss, ts, ms, ev, be, cc, "
        "tests, gate_exit FROM runs WHERE started_at >= $1 AND ($2 = '' OR branch = $2) "
        "ORDER BY started_at DESC, id DESC LIMIT $3",
        {number(q.since.value_or(0.0)), text(q.branch.value_or("")), limit_param(q.limit)});
    std::vector<StoredRun> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        StoredRun run;
        run.id = integer(r.get(), i, 0);
        run.started_at = real(r.get(), i, 1);
        run.context = {cell(r.get(), i, 2), cell(r.get(), i, 3), cell(r.get(), i, 4),
                       cell(r.get(), i, 5), cell(r.get(), i, 6), cell(r.get(), i, 7)};
        run.pss = static_cast<int>(integer(r.get(), i, 8));
        run.breakdown = scores_at(r.get(), i, 9);
        run.tests = integer(r.get(), i, 14);
        run.gate_exit = static_cast<int>(integer(r.get(), i, 15));
        out.push_back(std::move(run));
    }
    return out;
}

std::vector<StoredTest> PostgresHistory::test_history(const std::string& name, const RunQuery& q) const {
    const Connection db(conn_, location_);
    const Result r = db.run(std::string(test_columns) +
                                "WHERE t.name = $1 AND t.started_at >= $2 AND ($3 = '' OR r.branch = $3) "
                                "ORDER BY t.started_at DESC, t.run_id DESC LIMIT $4",
                            {text(name), number(q.since.value_or(0.0)), text(q.branch.value_or("")),
                             limit_param(q.limit)});
    return read_tests(r.get());
}

std::vector<StoredTest> PostgresHistory::tests_of_run(std::int64_t run_id) const {
    const Connection db(conn_, location_);
    const Result r = db.run(std::string(test_columns) + "WHERE t.run_id = $1 ORDER BY t.module, t.name",
                            {number(run_id)});
    return read_tests(r.get());
}

HistoryStore::AlertClaim PostgresHistory::claim_alert(const std::string& key, double now, double cooldown_seconds) {
    const Connection db(conn_, location_);
    return db.transaction([&] {
        // One lock per key for the rest of the transaction: of two racing
        // runs, the second reads what the first wrote.
        db.run("SELECT pg_advisory_xact_lock(hashtextextended('pss-alert:' || $1, 0))", {text(key)});
        AlertClaim claim;
        const Result last = db.run("SELECT sent_at FROM alert_state WHERE key = $1", {text(key)});
        if (PQntuples(last.get()) > 0) claim.previous = real(last.get(), 0, 0);
        claim.granted = !claim.previous || now - *claim.previous >= cooldown_seconds;
        if (claim.granted)
            db.run("INSERT INTO alert_state(key, sent_at) VALUES($1, $2) "
                   "ON CONFLICT (key) DO UPDATE SET sent_at = EXCLUDED.sent_at",
                   {text(key), number(now)});
        return claim;
    });
}

void PostgresHistory::release_alert(const std::string& key, const std::optional<double>& previous) {
    const Connection db(conn_, location_);
    if (previous)
        db.run("INSERT INTO alert_state(key, sent_at) VALUES($1, $2) "
               "ON CONFLICT (key) DO UPDATE SET sent_at = EXCLUDED.sent_at",
               {text(key), number(*previous)});
    else
        db.run("DELETE FROM alert_state WHERE key = $1", {text(key)});
}

}  // namespace pss::ci
