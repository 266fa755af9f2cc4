// What both history backends share: a run's results as rows, and choosing
// the backend from storage_uri.
#include "pss/ci/history_store.hpp"

#include <filesystem>

#include "pss/ci/regression.hpp"
#include "pss/ci/sqlite_history.hpp"
#include "postgres_history.hpp"

namespace pss::ci {

std::int64_t HistoryStore::store(double started_at, const RunContext& context, const Score& overall,
                                 const std::vector<TestResult>& tests, int gate_exit) {
    const StoredRows rows = as_stored_rows(started_at, context, overall, tests, gate_exit);
    return insert(rows.run, rows.tests);
}

StoredRows as_stored_rows(double started_at, const RunContext& context, const Score& overall,
                          const std::vector<TestResult>& tests, int gate_exit) {
    StoredRun run;
    run.started_at = started_at;
    run.context = context;
    run.pss = overall.pss;
    run.breakdown = overall.breakdown;
    run.tests = static_cast<std::int64_t>(tests.size());
    run.gate_exit = gate_exit;
    std::vector<StoredTest> rows;
    rows.reserve(tests.size());
    for (const auto& t : tests) {
        StoredTest row;
        row.started_at = started_at;
        row.branch = context.branch;
        row.commit = context.commit;
        row.name = t.name;
        row.module = t.module;
        row.binary = t.binary;
        row.verdict = to_string(t.verdict);
        row.pss = t.score.pss;
        row.breakdown = t.score.breakdown;
        row.runs = static_cast<std::int64_t>(t.runs);
        row.failures = static_cast<std::int64_t>(t.failures);
        row.p50 = t.duration.p50;
        row.p95 = t.duration.p95;
        row.durations = measured_durations(t);
        rows.push_back(std::move(row));
    }
    return {std::move(run), std::move(rows)};
}

bool is_postgres_uri(const std::string& uri) {
    return uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0;
}

std::string redact_uri(const std::string& uri) {
    const auto scheme = uri.find("://");
    if (scheme == std::string::npos) return uri;
    const auto authority = scheme + 3;
    const auto end = uri.find_first_of("/?#", authority);
    const auto at = uri.rfind('@', end == std::string::npos ? std::string::npos : end);
    std::string out = uri;
    if (at != std::string::npos && at >= authority) {
        const auto colon = uri.find(':', authority);
        if (colon != std::string::npos && colon < at) out = uri.substr(0, colon + 1) + "***" + uri.substr(at);
    }
    // A password may also come as a query parameter: postgresql://h/db?password=...
    for (const std::string key : {"password=", "pass="}) {
        for (auto p = out.find(key); p != std::string::npos; p = out.find(key, p + 1)) {
            if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
            const auto value = p + key.size();
            const auto stop = out.find('&', value);
            out.replace(value, stop == std::string::npos ? std::string::npos : stop - value, "***");
        }
    }
    return out;
}

std::unique_ptr<HistoryStore> open_history_store(const std::string& uri, int busy_timeout_ms) {
    if (is_postgres_uri(uri)) return std::make_unique<PostgresHistory>(uri, busy_timeout_ms);
    if (uri.find("://") != std::string::npos)
        throw HistoryError("history storage '" + redact_uri(uri) +
                           "' is not understood: give a SQLite file path (default .pss/history.db) or a "
                           "postgresql://user@host:port/database URI");
    return std::make_unique<SqliteHistory>(uri, busy_timeout_ms);
}

bool history_may_exist(const std::string& uri) {
    if (uri.find("://") != std::string::npos) return true;
    std::error_code ec;
    // An empty file holds no history: reading must not turn it into a
    // database (it may be anything the user named by mistake).
    if (std::filesystem::is_regular_file(uri, ec) && std::filesystem::file_size(uri, ec) == 0 && !ec) return false;
    return std::filesystem::exists(uri, ec);
}

}  // namespace pss::ci
