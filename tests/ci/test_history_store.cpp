// The SQLite history store against a real database file: round trips,
// queries, schema versions, and concurrent writers that lose nothing.
#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "process.hpp"
#include "pss/ci/sqlite_history.hpp"

using namespace pss;
using namespace pss::ci;

namespace {

TestResult make_test(std::string name, int pss, std::vector<double> durations, Verdict v = Verdict::stable) {
    TestResult t;
    t.name = std::move(name);
    t.module = "bin.Suite";
    t.binary = "./bin";
    t.score.pss = pss;
    t.score.breakdown.timing_stability = 0.9;
    t.verdict = v;
    t.runs = durations.size();
    t.duration.p50 = durations.empty() ? 0 : durations.front();
    for (std::size_t i = 0; i < durations.size(); ++i)
        t.series.push_back({static_cast<std::int64_t>(i), durations[i], 0, false, false});
    return t;
}

class HistoryStoreTest : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-history"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path db() const { return std::filesystem::path(dir_) / ".pss" / "history.db"; }
    std::string dir_;
};

}  // namespace

TEST_F(HistoryStoreTest, StoresARunAndReadsItBack) {
    SqliteHistory store(db());
    const std::int64_t id = store.store(1000.0, {"abc123", "main", "ci-42", "host1", "cfg", "./bin"}, Score{87, {}},
                                        {make_test("A.x", 90, {0.1, 0.2, 0.3}), make_test("A.y", 40, {1.0}, Verdict::flaky)},
                                        1);
    const auto runs = store.runs({});
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].id, id);
    EXPECT_EQ(runs[0].pss, 87);
    EXPECT_EQ(runs[0].context.commit, "abc123");
    EXPECT_EQ(runs[0].context.branch, "main");
    EXPECT_EQ(runs[0].context.ci_run_id, "ci-42");
    EXPECT_EQ(runs[0].tests, 2);
    EXPECT_EQ(runs[0].gate_exit, 1);
    const auto tests = store.tests_of_run(id);
    ASSERT_EQ(tests.size(), 2u);
    EXPECT_EQ(tests[0].name, "A.x");
    EXPECT_EQ(tests[0].durations, (std::vector<double>{0.1, 0.2, 0.3}));
    EXPECT_DOUBLE_EQ(tests[0].breakdown.timing_stability, 0.9);
    EXPECT_EQ(tests[1].verdict, "flaky");
    EXPECT_TRUE(std::filesystem::exists(db()));  // the .pss directory was created
}

TEST_F(HistoryStoreTest, QueriesByLimitBranchTimeAndTest) {
    SqliteHistory store(db());
    for (int i = 0; i < 6; ++i)
        store.store(1000.0 + i, {"c" + std::to_string(i), i % 2 ? "feature" : "main", "", "", "", ""}, Score{50 + i, {}},
                    {make_test("T.trend", 50 + i, {0.01 * i})}, 0);
    EXPECT_EQ(store.runs({3, {}, {}}).size(), 3u);
    EXPECT_EQ(store.runs({3, {}, {}})[0].pss, 55);  // newest first
    EXPECT_EQ(store.runs({10, {}, std::string("main")}).size(), 3u);
    EXPECT_EQ(store.runs({10, 1003.5, {}}).size(), 2u);
    const auto trend = store.test_history("T.trend", {4, {}, {}});
    ASSERT_EQ(trend.size(), 4u);
    EXPECT_EQ(trend[0].pss, 55);
    EXPECT_EQ(trend[3].pss, 52);
    EXPECT_TRUE(store.test_history("T.none", {}).empty());
}

TEST_F(HistoryStoreTest, ReopeningKeepsDataAndSchemaVersion) {
    { SqliteHistory(db()).store(1.0, {}, Score{1, {}}, {}, 0); }
    SqliteHistory again(db());
    EXPECT_EQ(again.runs({}).size(), 1u);
}

TEST_F(HistoryStoreTest, NewerSchemaIsAClearError) {
    { SqliteHistory s(db()); }
    sqlite3* raw = nullptr;
    sqlite3_open(db().c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    try {
        SqliteHistory s(db());
        FAIL();
    } catch (const HistoryError& e) {
        EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
    }
}

TEST_F(HistoryStoreTest, AVersion1DatabaseIsMigratedAndKeepsItsRuns) {
    // A database as pss wrote it before schema 2 (alert cooldowns, test rows with their run's time).
    std::filesystem::create_directories(std::filesystem::path(db()).parent_path());
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, R"sql(
CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at REAL NOT NULL,
  commit_sha TEXT NOT NULL DEFAULT '', branch TEXT NOT NULL DEFAULT '', ci_run_id TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '', config_hash TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
  pss INTEGER NOT NULL, ts REAL, ms REAL, ev REAL, be REAL, cc REAL, tests INTEGER NOT NULL, gate_exit INTEGER NOT NULL);
CREATE INDEX runs_by_branch_time ON runs(branch, started_at);
CREATE TABLE test_results (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL, module TEXT NOT NULL, binary TEXT NOT NULL DEFAULT '',
  pss INTEGER NOT NULL, ts REAL, ms REAL, ev REAL, be REAL, cc REAL,
  verdict TEXT NOT NULL, runs INTEGER NOT NULL, failures INTEGER NOT NULL,
  p50 REAL, p95 REAL, durations BLOB, PRIMARY KEY (run_id, module, name));
CREATE INDEX test_results_by_name ON test_results(name, run_id);
INSERT INTO runs(id, started_at, branch, pss, tests, gate_exit) VALUES (1, 5000.0, 'main', 77, 1, 0);
INSERT INTO test_results(run_id, name, module, pss, verdict, runs, failures) VALUES (1, 'Old.Test', 'bin.Old', 77, 'stable', 10, 0);
PRAGMA user_version = 1;
)sql",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);

    SqliteHistory migrated(db());
    ASSERT_EQ(migrated.runs({}).size(), 1u);
    EXPECT_EQ(migrated.runs({})[0].pss, 77);
    // The test row got its run's time: a time filter finds it, a later one does not.
    EXPECT_EQ(migrated.test_history("Old.Test", {10, 4000.0, std::string("main")}).size(), 1u);
    EXPECT_EQ(migrated.test_history("Old.Test", {10, 6000.0, std::nullopt}).size(), 0u);
    EXPECT_TRUE(migrated.claim_alert("Error Burst@main", 100, 3600).granted);
    sqlite3_open(db().c_str(), &raw);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &stmt, nullptr);
    sqlite3_step(stmt);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), history_schema_version);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
}

TEST_F(HistoryStoreTest, AlertClaimsHonourTheCooldownAndCanBeReleased) {
    SqliteHistory s(db());
    const auto first = s.claim_alert("Error Burst@main", 1000, 3600);
    EXPECT_TRUE(first.granted);
    EXPECT_FALSE(first.previous.has_value());
    const auto second = s.claim_alert("Error Burst@main", 2000, 3600);
    EXPECT_FALSE(second.granted);
    EXPECT_DOUBLE_EQ(*second.previous, 1000);
    EXPECT_TRUE(s.claim_alert("Error Burst@release", 2000, 3600).granted);
    EXPECT_TRUE(s.claim_alert("Error Burst@main", 4600, 3600).granted);
    s.release_alert("Error Burst@main", 1000.0);  // 4600's sending failed: back to 1000
    EXPECT_DOUBLE_EQ(*s.claim_alert("Error Burst@main", 4601, 3600).previous, 1000);
    s.release_alert("Error Burst@main", std::nullopt);
    EXPECT_FALSE(s.claim_alert("Error Burst@main", 4602, 3600).previous.has_value());
}

TEST_F(HistoryStoreTest, UnusablePathIsAClearError) {
    try {
        SqliteHistory s("/proc/pss-no/history.db");
        FAIL();
    } catch (const HistoryError& e) {
        EXPECT_NE(std::string(e.what()).find("/proc/pss-no/history.db"), std::string::npos) << e.what();
    }
}

TEST_F(HistoryStoreTest, EightConcurrentWriterProcessesLoseNothing) {
    { SqliteHistory init(db()); }
    constexpr int writers = 8, runs_each = 25;
    std::vector<pid_t> pids;
    for (int w = 0; w < writers; ++w) {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int code = 0;
            try {
                SqliteHistory store(db());
                for (int i = 0; i < runs_each; ++i)
                    store.store(w * 1000.0 + i, {"", "main", std::to_string(w), "", "", ""}, Score{w, {}},
                                {make_test("W.a", w, {0.1, 0.2}), make_test("W.b", w, {0.3})}, 0);
            } catch (...) {
                code = 1;
            }
            _exit(code);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    SqliteHistory store(db());
    EXPECT_EQ(store.runs({100000, {}, {}}).size(), static_cast<std::size_t>(writers * runs_each));
    EXPECT_EQ(store.test_history("W.b", {100000, {}, {}}).size(), static_cast<std::size_t>(writers * runs_each));
}

TEST_F(HistoryStoreTest, AWriterHoldingTheDatabasePastTheBusyTimeoutIsAnErrorThatSaysSo) {
    { SqliteHistory init(db()); }
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    try {
        SqliteHistory store(db(), 200);
        store.store(1.0, {}, Score{1, {}}, {}, 0);
        FAIL() << "stored while another writer held the database";
    } catch (const HistoryError& e) {
        EXPECT_NE(std::string(e.what()).find("held the database past the busy timeout"), std::string::npos) << e.what();
    }
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
}

TEST_F(HistoryStoreTest, ADirectoryOrADeviceIsNotAHistory) {
    for (const std::string path : {dir_, std::string("/dev/null")}) {
        try {
            SqliteHistory s(path);
            FAIL() << path << " was taken for a history";
        } catch (const HistoryError& e) {
            EXPECT_NE(std::string(e.what()).find("is not a regular file"), std::string::npos) << e.what();
        }
    }
    EXPECT_FALSE(std::filesystem::exists("/dev/null-journal"));
}
