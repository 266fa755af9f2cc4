// The PostgreSQL history backend against a real server that this test
// program starts (initdb + pg_ctl in a temporary directory, 127.0.0.1):
// the same answers as SQLite, 16 parallel writers, atomic alert claims,
// schema versions, an unreachable or restarted server, export and import.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <sstream>

#include <libpq-fe.h>

#include "process.hpp"
#include "pss/ci/history_store.hpp"
#include "pss/ci/history_transfer.hpp"
#include "pss/ci/sqlite_history.hpp"
#include "servers.hpp"

using namespace pss;
using namespace pss::ci;

namespace {

pss::test::PostgresServer* server = nullptr;

class PostgresEnvironment : public ::testing::Environment {
public:
    void SetUp() override { server = new pss::test::PostgresServer(); }
    void TearDown() override {
        delete server;
        server = nullptr;
    }
};
const auto* const environment = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

TestResult make_test(std::string name, int pss, std::vector<double> durations, Verdict v = Verdict::stable) {
    TestResult t;
    t.name = std::move(name);
    t.module = "bin.Suite";
    t.binary = "./bin";
    t.score.pss = pss;
    t.score.breakdown = {0.9, 0.8, 0.7, 0.6, 0.5};
    t.verdict = v;
    t.runs = durations.size();
    t.failures = v == Verdict::flaky ? 1 : 0;
    t.duration.p50 = durations.empty() ? 0 : durations.front();
    t.duration.p95 = durations.empty() ? 0 : durations.back();
    for (std::size_t i = 0; i < durations.size(); ++i)
        t.series.push_back({static_cast<std::int64_t>(i), durations[i], 0, false, false});
    return t;
}

// Runs `body(i)` in `n` forked processes at once; true when every one exited 0.
bool in_processes(int n, const std::function<int(int)>& body) {
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
        const pid_t pid = fork();
        if (pid == 0) {
            int code = 1;
            try {
                code = body(i);
            } catch (const std::exception& e) {
                fprintf(stderr, "writer %d: %s\n", i, e.what());
            }
            _exit(code);
        }
        pids.push_back(pid);
    }
    bool ok = true;
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return ok;
}

void sql(const std::string& uri, const std::string& statement) {
    PGconn* c = PQconnectdb(uri.c_str());
    PGresult* r = PQexec(c, statement.c_str());
    const auto status = PQresultStatus(r);
    const std::string error = PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    ASSERT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << statement << ": " << error;
}

class PostgresHistoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
        uri_ = server->create_database(name);
        dir_ = pss::test::make_temp_dir("pss-pg-test");
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string uri_, dir_;
};

}  // namespace

TEST_F(PostgresHistoryTest, StoresRunsExactlyAsSQLiteDoes) {
    const auto pg = open_history_store(uri_);
    const auto lite = open_history_store(dir_ + "/history.db");
    for (HistoryStore* store : {pg.get(), lite.get()}) {
        store->store(1000.25, {"abc123", "main", "ci-42", "host1", "cfg", "./bin"}, Score{87, {0.1, 0.2, 0.3, 0.4, 0.5}},
                     {make_test("A.x", 90, {0.1, 0.2, 0.3}), make_test("A.y", 40, {1.0}, Verdict::flaky)}, 1);
        store->store(2000.5, {"def456", "feature", "", "host2", "cfg", "./bin"}, Score{60, {}},
                     {make_test("A.x", 60, {0.3, 0.31})}, 0);
    }
    const auto pg_runs = pg->runs({});
    const auto lite_runs = lite->runs({});
    ASSERT_EQ(pg_runs.size(), 2u);
    ASSERT_EQ(pg_runs.size(), lite_runs.size());
    for (std::size_t i = 0; i < pg_runs.size(); ++i) {
        const auto &a = pg_runs[i], &b = lite_runs[i];
        EXPECT_EQ(a.started_at, b.started_at);
        EXPECT_EQ(a.context.commit, b.context.commit);
        EXPECT_EQ(a.context.branch, b.context.branch);
        EXPECT_EQ(a.context.ci_run_id, b.context.ci_run_id);
        EXPECT_EQ(a.context.host, b.context.host);
        EXPECT_EQ(a.context.source, b.context.source);
        EXPECT_EQ(a.pss, b.pss);
        EXPECT_EQ(a.breakdown.timing_stability, b.breakdown.timing_stability);
        EXPECT_EQ(a.breakdown.concurrency_chaos, b.breakdown.concurrency_chaos);
        EXPECT_EQ(a.tests, b.tests);
        EXPECT_EQ(a.gate_exit, b.gate_exit);
        const auto ta = pg->tests_of_run(a.id), tb = lite->tests_of_run(b.id);
        ASSERT_EQ(ta.size(), tb.size());
        for (std::size_t j = 0; j < ta.size(); ++j) {
            EXPECT_EQ(ta[j].name, tb[j].name);
            EXPECT_EQ(ta[j].verdict, tb[j].verdict);
            EXPECT_EQ(ta[j].pss, tb[j].pss);
            EXPECT_EQ(ta[j].failures, tb[j].failures);
            EXPECT_EQ(ta[j].p95, tb[j].p95);
            EXPECT_EQ(ta[j].durations, tb[j].durations);
            EXPECT_EQ(ta[j].branch, tb[j].branch);
        }
    }
    EXPECT_EQ(pg->runs({}).front().context.branch, "feature");  // newest first
    RunQuery main_only;
    main_only.branch = "main";
    EXPECT_EQ(pg->runs(main_only).size(), 1u);
    RunQuery recent;
    recent.since = 1500;
    EXPECT_EQ(pg->runs(recent).size(), 1u);
    const auto trend = pg->test_history("A.x", {});
    ASSERT_EQ(trend.size(), 2u);
    EXPECT_EQ(trend[0].pss, 60);
    EXPECT_EQ(trend[1].durations, (std::vector<double>{0.1, 0.2, 0.3}));
    EXPECT_EQ(pg->test_history("A.x", {1, {}, {}}).size(), 1u);
}

TEST_F(PostgresHistoryTest, SixteenParallelWritersOnAFreshDatabaseLoseNoRun) {
    // No process created the schema before: the 16 race for it too.
    constexpr int writers = 16, runs_each = 10;
    ASSERT_TRUE(in_processes(writers, [&](int w) {
        const auto store = open_history_store(uri_);
        for (int i = 0; i < runs_each; ++i)
            store->store(w * 1000.0 + i, {"", "main", std::to_string(w), "", "", ""}, Score{w, {}},
                         {make_test("W.a", w, {0.1, 0.2}), make_test("W.b", w, {0.3})}, 0);
        return 0;
    }));
    const auto store = open_history_store(uri_);
    EXPECT_EQ(store->runs({SIZE_MAX, {}, {}}).size(), static_cast<std::size_t>(writers * runs_each));
    EXPECT_EQ(store->test_history("W.b", {SIZE_MAX, {}, {}}).size(), static_cast<std::size_t>(writers * runs_each));
}

TEST_F(PostgresHistoryTest, OfSixteenRacingClaimsOfOneAlertExactlyOneIsGranted) {
    { open_history_store(uri_); }
    const std::string granted_file = dir_ + "/granted";
    ASSERT_TRUE(in_processes(16, [&](int) {
        const auto store = open_history_store(uri_);
        if (store->claim_alert("Error Burst@main", 1000, 3600).granted) {
            FILE* f = fopen(granted_file.c_str(), "a");
            fputs("x", f);
            fclose(f);
        }
        return 0;
    }));
    EXPECT_EQ(pss::test::read_file(granted_file), "x");
    const auto store = open_history_store(uri_);
    EXPECT_FALSE(store->claim_alert("Error Burst@main", 2000, 3600).granted);
    EXPECT_TRUE(store->claim_alert("Error Burst@main", 4600, 3600).granted);
    store->release_alert("Error Burst@main", 1000.0);
    EXPECT_DOUBLE_EQ(*store->claim_alert("Error Burst@main", 4601, 3600).previous, 1000);
    store->release_alert("Error Burst@main", std::nullopt);
    EXPECT_FALSE(store->claim_alert("Error Burst@main", 4602, 3600).previous.has_value());
}

TEST_F(PostgresHistoryTest, ANewerSchemaIsAClearErrorAndNothingIsChanged) {
    { open_history_store(uri_); }
    sql(uri_, "UPDATE pss_schema SET version = 99");
    try {
        open_history_store(uri_);
        FAIL() << "a newer schema was accepted";
    } catch (const HistoryError& e) {
        EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("upgrade pss"), std::string::npos) << e.what();
    }
}

TEST_F(PostgresHistoryTest, AnUnreachableServerIsAClearErrorWithoutThePassword) {
    const int port = pss::test::free_port();
    const std::string uri = "postgresql://pss:s3cret@127.0.0.1:" + std::to_string(port) + "/db";
    try {
        open_history_store(uri, 1000);
        FAIL() << "connected to nothing";
    } catch (const HistoryError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("cannot connect to history database 'postgresql://pss:***@127.0.0.1:"), std::string::npos)
            << what;
        EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
    }
}

TEST_F(PostgresHistoryTest, ExportFromSQLiteImportsIntoPostgresAndBackIdentically) {
    SqliteHistory lite(dir_ + "/history.db");
    lite.store(1000, {"c1", "main", "", "h", "cfg", "./bin"}, Score{90, {0.9, 1, 1, 1, 1}},
               {make_test("A.x", 90, {0.1, 0.2, 0.3})}, 0);
    lite.store(2000, {"c2", "main", "", "h", "cfg", "./bin"}, Score{70, {0.5, 1, 1, 1, 1}},
               {make_test("A.x", 70, {0.4, 0.5}), make_test("A.y", 50, {1}, Verdict::flaky)}, 1);
    std::stringstream dump;
    const auto out = export_history(lite, {SIZE_MAX, {}, {}}, dump);
    EXPECT_EQ(out.runs, 2u);
    EXPECT_EQ(out.tests, 3u);

    const auto pg = open_history_store(uri_);
    std::stringstream in(dump.str());
    const auto imported = import_history(*pg, in, "dump");
    EXPECT_EQ(imported.runs, 2u);
    EXPECT_EQ(imported.tests, 3u);
    std::stringstream again(dump.str());
    const auto twice = import_history(*pg, again, "dump");
    EXPECT_EQ(twice.runs, 0u);
    EXPECT_EQ(twice.skipped, 2u);

    // Exported again from PostgreSQL: the same file (ids aside, which are not in it).
    std::stringstream back;
    export_history(*pg, {SIZE_MAX, {}, {}}, back);
    EXPECT_EQ(back.str(), dump.str());
    EXPECT_EQ(pg->test_history("A.x", {}).front().durations, (std::vector<double>{0.4, 0.5}));
}

TEST_F(PostgresHistoryTest, AMalformedImportLineIsNamedAndEarlierRunsStay) {
    const auto pg = open_history_store(uri_);
    SqliteHistory lite(dir_ + "/history.db");
    lite.store(1000, {"c1", "main", "", "h", "", ""}, Score{90, {}}, {make_test("A.x", 90, {0.1})}, 0);
    std::stringstream dump;
    export_history(lite, {SIZE_MAX, {}, {}}, dump);
    std::stringstream in(dump.str() + "{\"started_at\": \"soon\"}\n");
    try {
        import_history(*pg, in, "moved.jsonl");
        FAIL();
    } catch (const HistoryError& e) {
        EXPECT_NE(std::string(e.what()).find("moved.jsonl:3"), std::string::npos) << e.what();
    }
    EXPECT_EQ(pg->runs({}).size(), 1u);
}

TEST_F(PostgresHistoryTest, ARestartedServerKeepsTheHistoryAndADownServerIsAnError) {
    {
        const auto store = open_history_store(uri_);
        store->store(1000, {}, Score{80, {}}, {make_test("A.x", 80, {0.1})}, 0);
    }
    const auto open_before = open_history_store(uri_);
    server->stop();
    EXPECT_THROW(open_history_store(uri_, 1000), HistoryError);
    // A connection made before the server went is lost: an error, not a silent loss.
    EXPECT_THROW(open_before->store(1500, {}, Score{80, {}}, {}, 0), HistoryError);
    server->start();
    const auto store = open_history_store(uri_);
    store->store(2000, {}, Score{81, {}}, {make_test("A.x", 81, {0.1})}, 0);
    EXPECT_EQ(store->runs({}).size(), 2u);
}
