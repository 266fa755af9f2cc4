// History store: storing 100,000 test results (1,000 runs of 100 tests, ten
// run durations each) and querying one test's trend in a database of
// 1,000,000 test rows. Each figure has a baseline measured in the same run:
//   storing  against plain SQLite inserts of the same rows (one prepared
//            statement, one transaction per run): what SQLite itself costs;
//   trend    against the same query made to scan the table (NOT INDEXED):
//            what the index buys.
//
//   bench_history [--runs=N] [--tests=N] [--trend-runs=N]   (defaults 1000, 100, 10000)
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "pss/ci/sqlite_history.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

long arg(int argc, char** argv, std::string_view name, long fallback) {
    const std::string prefix = "--" + std::string(name) + "=";
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]).starts_with(prefix)) return std::strtol(argv[i] + prefix.size(), nullptr, 10);
    return fallback;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<pss::TestResult> suite(long tests, long run) {
    std::vector<pss::TestResult> out;
    for (long t = 0; t < tests; ++t) {
        pss::TestResult r;
        r.name = fmt::format("Suite{}.Case{}", t / 10, t);
        r.module = fmt::format("unit_tests.Suite{}", t / 10);
        r.binary = "build/tests/unit_tests";
        r.score = pss::Score{90 + static_cast<int>((t + run) % 10), {0.9, 0.95, 1, 1, 1}};
        r.verdict = pss::Verdict::stable;
        r.runs = 10;
        for (int i = 0; i < 10; ++i)
            r.series.push_back({i, 0.001 * static_cast<double>(1 + (t + i + run) % 7), 0, false, false});
        r.duration.p50 = 0.004;
        r.duration.p95 = 0.007;
        out.push_back(std::move(r));
    }
    return out;
}

// Stores `runs` runs of `tests` tests; returns the seconds taken.
double store_runs(const fs::path& db, long runs, long tests) {
    pss::ci::SqliteHistory store(db);
    double total = 0;
    for (long run = 0; run < runs; ++run) {
        const auto results = suite(tests, run);  // built outside the clock
        const auto start = Clock::now();
        store.store(1.7e9 + static_cast<double>(run), {"c0ffee", "main", std::to_string(run), "ci", "h", "bench"},
                    pss::Score{92, {}}, results, 0);
        total += seconds_since(start);
    }
    return total;
}

// The floor: the same rows through one prepared statement, one transaction per run.
double raw_inserts(const fs::path& db, long runs, long tests) {
    sqlite3* raw = nullptr;
    sqlite3_open(db.c_str(), &raw);
    sqlite3_exec(raw,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t(run INTEGER, name TEXT, "
                 "module TEXT, pss INTEGER, ts REAL, ms REAL, verdict TEXT, durations BLOB, PRIMARY KEY(run, module, name));"
                 "CREATE INDEX t_by_name ON t(name, run);",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(raw, "INSERT INTO t VALUES(?,?,?,?,?,?,?,?)", -1, &insert, nullptr);
    double total = 0;
    for (long run = 0; run < runs; ++run) {
        const auto results = suite(tests, run);
        const auto start = Clock::now();
        sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
        for (const auto& r : results) {
            sqlite3_bind_int64(insert, 1, run);
            sqlite3_bind_text(insert, 2, r.name.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert, 3, r.module.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(insert, 4, r.score.pss);
            sqlite3_bind_double(insert, 5, r.score.breakdown.timing_stability);
            sqlite3_bind_double(insert, 6, r.score.breakdown.memory_stability);
            sqlite3_bind_text(insert, 7, "stable", -1, SQLITE_STATIC);
            std::vector<double> durations;
            for (const auto& p : r.series) durations.push_back(p.duration);
            sqlite3_bind_blob(insert, 8, durations.data(), static_cast<int>(durations.size() * sizeof(double)),
                              SQLITE_TRANSIENT);
            sqlite3_step(insert);
            sqlite3_reset(insert);
        }
        sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
        total += seconds_since(start);
    }
    sqlite3_finalize(insert);
    sqlite3_close(raw);
    return total;
}

// One test's trend as `pss history --test` asks for it, and the same rows
// found by scanning every row; best of five, milliseconds.
std::pair<double, double> trend_queries(const fs::path& db, const std::string& test, std::size_t limit,
                                        std::size_t& rows) {
    pss::ci::SqliteHistory store(db);
    double indexed = 1e9, scanned = 1e9;
    for (int round = 0; round < 5; ++round) {
        auto start = Clock::now();
        rows = store.test_history(test, {limit, std::nullopt, std::string("main")}).size();
        indexed = std::min(indexed, seconds_since(start) * 1e3);

        sqlite3* raw = nullptr;
        sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* scan = nullptr;
        sqlite3_prepare_v2(raw,
                           "WITH t AS MATERIALIZED (SELECT run_id, pss, durations FROM test_results NOT INDEXED "
                           "WHERE name = ?) SELECT t.run_id, t.pss, t.durations FROM t JOIN runs r ON r.id = "
                           "t.run_id WHERE r.branch = 'main' ORDER BY r.started_at DESC LIMIT ?",
                           -1, &scan, nullptr);
        sqlite3_bind_text(scan, 1, test.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(scan, 2, static_cast<sqlite3_int64>(limit));
        start = Clock::now();
        std::size_t n = 0;
        while (sqlite3_step(scan) == SQLITE_ROW) ++n;
        scanned = std::min(scanned, seconds_since(start) * 1e3);
        sqlite3_finalize(scan);
        sqlite3_close(raw);
        if (n != rows) fmt::print(stderr, "bench_history: the scan found {} rows, the store {}\n", n, rows);
    }
    return {indexed, scanned};
}

}  // namespace

int main(int argc, char** argv) {
    const long runs = arg(argc, argv, "runs", 1000), tests = arg(argc, argv, "tests", 100);
    const long trend_runs = arg(argc, argv, "trend-runs", 10000);
    const fs::path dir = fs::temp_directory_path() / fmt::format("pss-bench-history-{}", getpid());
    fs::create_directories(dir);

    const long rows = runs * tests;
    const double stored = store_runs(dir / "store.db", runs, tests);
    const double raw = raw_inserts(dir / "raw.db", runs, tests);
    fmt::print("storing {} test results ({} runs of {} tests, 10 durations each):\n", rows, runs, tests);
    fmt::print("  HistoryStore::store      {:8.2f} s  {:>10.0f} rows/s  {:6.3f} ms per run\n", stored,
               static_cast<double>(rows) / stored, stored / static_cast<double>(runs) * 1e3);
    fmt::print("  plain SQLite inserts     {:8.2f} s  {:>10.0f} rows/s  (baseline)\n", raw,
               static_cast<double>(rows) / raw);
    fmt::print("  ratio: {:.2f}x the time of plain inserts\n\n", stored / raw);

    const auto build_start = Clock::now();
    store_runs(dir / "trend.db", trend_runs, tests);
    const long trend_rows = trend_runs * tests;
    fmt::print("trend of one test in {} test rows ({} runs; built in {:.1f} s, {:.0f} MB):\n", trend_rows, trend_runs,
               seconds_since(build_start), static_cast<double>(fs::file_size(dir / "trend.db")) / 1e6);
    for (std::size_t limit : {std::size_t{10}, std::size_t{1000}}) {
        std::size_t found = 0;
        const long t = tests / 2;
        const auto [indexed, scanned] = trend_queries(dir / "trend.db", fmt::format("Suite{}.Case{}", t / 10, t), limit, found);
        fmt::print("  last {:>4} runs ({:>4} rows): {:8.3f} ms indexed, {:9.3f} ms scanning (baseline): {:.0f}x faster\n",
                   limit, found, indexed, scanned, scanned / indexed);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
