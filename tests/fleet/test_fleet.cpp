// A CI fleet on one machine: real Redis and PostgreSQL servers and pss's own
// gRPC collector, started here on 127.0.0.1. Shards feeding one stream and
// one history give the local run's verdicts; killing a server mid-run loses
// only what the senders report as dropped; a restart is survived.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "servers.hpp"
#include "stream_reader.hpp"

using namespace pss::test;

namespace {

RedisServer* redis = nullptr;
PostgresServer* postgres = nullptr;

class Servers : public ::testing::Environment {
public:
    void SetUp() override {
        redis = new RedisServer();
        postgres = new PostgresServer();
    }
    void TearDown() override {
        delete redis;
        delete postgres;
    }
};
const auto* const servers = ::testing::AddGlobalTestEnvironment(new Servers);

std::map<std::string, std::string> plugin_env() { return {{"PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR}}; }

ProcessResult run_pss(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), PSS_BIN);
    ProcessOptions o;
    o.env = std::move(env);
    o.env["PSS_COLLECTOR_PATH"] = PSS_COLLECTOR_DIR;
    o.unset_env = {"PSS_COLLECTOR", "PSS_RUN_ID", "GITHUB_RUN_ID", "CI_PIPELINE_ID", "GITHUB_ACTIONS"};
    o.timeout_seconds = 240;
    return run_process(args, o);
}

std::size_t lines(const std::string& file) {
    std::ifstream in(file);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += !line.empty();
    return n;
}

// name -> verdict, from a results JSON.
std::map<std::string, std::string> verdicts(const std::string& file) {
    const auto j = nlohmann::json::parse(read_file(file));
    std::map<std::string, std::string> out;
    for (const auto& t : j.at("tests")) out[t.at("name").get<std::string>()] = t.at("verdict").get<std::string>();
    return out;
}

std::map<std::string, int> scores(const std::string& file) {
    const auto j = nlohmann::json::parse(read_file(file));
    std::map<std::string, int> out;
    for (const auto& t : j.at("tests")) out[t.at("name").get<std::string>()] = t.at("pss").get<int>();
    return out;
}

pss::collect::CollectedRun collected(const std::string& uri, const std::string& run_id) {
    pss::collect::CollectedRun run(run_id);
    pss::collect::read_collected(uri, run);
    return run;
}

// "1,204 records dropped" in a process's stderr: 1204; 0 when not there.
std::uint64_t reported_drops(const std::string& err) {
    std::smatch m;
    if (!std::regex_search(err, m, std::regex(R"(([0-9,]+) records? dropped)"))) return 0;
    std::string digits = m[1];
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    return std::stoull(digits);
}

class FleetTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = make_temp_dir("pss-fleet");
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        stream_ = std::string("pss:") + info->name();
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    std::string dir_, stream_;
};

}  // namespace

TEST_F(FleetTest, ThreeShardsIntoOneStreamAndOneDatabaseGiveTheLocalRunsVerdicts) {
    const std::string stream = redis->uri(0, stream_);
    const std::string db = postgres->create_database("fleet_shards");
    // Another run in the same stream must not leak into this one.
    ASSERT_EQ(run_pss({"run", "--repeat", "3", "--no-confirm", "--collector", stream, "--run-id", "other", "--", PSS_FLEET_FIXTURE})
                  .exit_code,
              1);

    std::vector<std::future<ProcessResult>> shards;
    for (int i = 0; i < 3; ++i)
        shards.push_back(std::async(std::launch::async, [&, i] {
            return run_pss({"run", "--repeat", "9", "--no-confirm", "--shard-index", std::to_string(i), "--shard-count",
                        "3", "--collector", stream, "--run-id", "pipeline-7", "--traces",
                        path("shard" + std::to_string(i) + ".ndjson"), "--", PSS_FLEET_FIXTURE});
        }));
    for (auto& s : shards) {
        const ProcessResult r = s.get();
        EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
        EXPECT_EQ(reported_drops(r.err), 0u) << r.err;
    }

    const auto merged = run_pss({"merge", "--from", stream, "--run-id", "pipeline-7", "--json", path("merged.json"),
                             "--store-history", "--db", db});
    ASSERT_EQ(merged.exit_code, 1) << merged.err;  // a flaky and a failing test
    EXPECT_NE(merged.err.find("pss: stored as run"), std::string::npos) << merged.err;
    const auto files = run_pss({"merge", path("shard0.ndjson"), path("shard1.ndjson"), path("shard2.ndjson"), "--json",
                            path("files.json")});
    ASSERT_EQ(files.exit_code, 1) << files.err;
    const auto local = run_pss({"run", "--repeat", "9", "--no-confirm", "--json", path("local.json"), "--", PSS_FLEET_FIXTURE});
    ASSERT_EQ(local.exit_code, 1) << local.err;

    const auto from_stream = verdicts(path("merged.json"));
    ASSERT_EQ(from_stream.size(), 22u);
    EXPECT_EQ(from_stream.at("Fleet.FailsEveryThirdRun"), "flaky");
    EXPECT_EQ(from_stream.at("Fleet.AlwaysFails"), "failing");
    EXPECT_EQ(from_stream.at("Fleet.Passes7"), "stable");
    EXPECT_EQ(from_stream, verdicts(path("local.json")));
    // The stream holds exactly what the shards' --traces files hold: the same scores too.
    EXPECT_EQ(from_stream, verdicts(path("files.json")));
    EXPECT_EQ(scores(path("merged.json")), scores(path("files.json")));

    const auto history = run_pss({"history", "--db", db, "--export", "json"});
    ASSERT_EQ(history.exit_code, 0) << history.err;
    const auto runs = nlohmann::json::parse(history.out);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].at("tests"), 22);
}

TEST_F(FleetTest, AKilledRedisLosesOnlyWhatTheTestProcessReportsAndARestartIsSurvived) {
    // The test binary sends its own records (PSS_COLLECTOR, as on a remote
    // executor), with a small buffer so that the outage overflows it; its
    // trace file is the truth to count against.
    const std::string stream = redis->uri(0, stream_);
    const std::string truth = path("truth.ndjson");
    BackgroundProcess tests({PSS_FLEET_FIXTURE, "--gtest_repeat=40"},
                            {{"PSS_COLLECTOR", stream}, {"PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR},
                             {"PSS_TRACE_FILE", truth}, {"PSS_RUN_ID", "outage"}, {"PSS_COLLECTOR_BUFFER", "100"},
                             {"PSS_COLLECTOR_BATCH", "20"}, {"PSS_FLEET_SLEEP_US", "1500"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    redis->kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    redis->start();
    const int code = tests.wait();
    EXPECT_EQ(code, 1) << "the suite ran to its end (it has a failing test)\n" << tests.err();

    const std::size_t produced = lines(truth);
    ASSERT_EQ(produced, 40u * 22u);
    const auto run = collected(stream, "outage");
    const std::uint64_t dropped = reported_drops(tests.err());
    EXPECT_GT(dropped, 0u) << "the outage should overflow a 100-record buffer\n" << tests.err();
    EXPECT_EQ(run.records() + dropped, produced) << tests.err();
    // Readers learn the count from the stream too, once the server is back.
    EXPECT_EQ(run.dropped(), dropped);
    EXPECT_NE(run.drop_note().find("collector unreachable"), std::string::npos) << run.drop_note();
}

TEST_F(FleetTest, ARedisRestartWithinTheBufferLosesNothing) {
    const std::string stream = redis->uri(0, stream_);
    const std::string truth = path("truth.ndjson");
    BackgroundProcess tests({PSS_FLEET_FIXTURE, "--gtest_repeat=20"},
                            {{"PSS_COLLECTOR", stream}, {"PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR},
                             {"PSS_TRACE_FILE", truth}, {"PSS_RUN_ID", "blip"}, {"PSS_FLEET_SLEEP_US", "1000"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    redis->kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    redis->start();
    tests.wait();
    EXPECT_EQ(reported_drops(tests.err()), 0u) << tests.err();
    EXPECT_EQ(collected(stream, "blip").records(), lines(truth));
    // The very records of the trace file, in its order.
    EXPECT_EQ(collected(stream, "blip").ndjson(), read_file(truth));
}

TEST_F(FleetTest, PssRunWhoseCollectorDiesMidRunKeepsItsVerdictsAndReportsTheDrops) {
    // pss-run sends each binary's records once its runs are done: the server
    // dies after the first binary's records arrived, before the second's.
    const std::string stream = redis->uri(0, stream_);
    auto run = std::async(std::launch::async, [&] {
        return run_pss({"run", "--repeat", "10", "--no-confirm", "--json", path("run.json"), "--traces", path("run.ndjson"),
                    "--collector", stream, "--run-id", "dies", "--", PSS_FLEET_FIXTURE, PSS_FLEET_FIXTURE_B},
                   {{"PSS_COLLECTOR_FLUSH_SECONDS", "1"}, {"PSS_FLEET_SLEEP_US", "3000"}});
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline && std::atoi(redis->cli("XLEN", stream_).c_str()) < 220)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    redis->kill();
    const ProcessResult r = run.get();
    redis->start();
    ASSERT_EQ(r.exit_code, 1) << r.err;
    const auto v = verdicts(path("run.json"));
    EXPECT_EQ(v.at("Fleet.FailsEveryThirdRun"), "flaky");
    EXPECT_EQ(v.at("Fleet.AlwaysFails"), "failing");
    for (int i = 0; i < 20; ++i)  // the 3 ms sleeps may be judged unstable on a loaded machine; never failed
        EXPECT_NE(v.at("Fleet.Passes" + std::to_string(i)).find("stable"), std::string::npos);
    EXPECT_EQ(nlohmann::json::parse(read_file(path("run.json"))).at("tests").size(), 44u);  // both binaries' tests
    const std::uint64_t dropped = reported_drops(r.err);
    EXPECT_EQ(dropped, 220u) << r.err;  // the second binary's records
    const auto results = nlohmann::json::parse(read_file(path("run.json")));
    EXPECT_NE(results.at("notes").dump().find("220 records dropped: "), std::string::npos) << results.at("notes");
    EXPECT_EQ(collected(stream, "dies").records() + dropped, lines(path("run.ndjson"))) << r.err;
}

TEST_F(FleetTest, TheGrpcCollectorWritesWhatTestProcessesSendAndSurvivesARestart) {
    const int port = free_port();
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    const std::string out = path("collected.ndjson");
    auto server = std::make_unique<BackgroundProcess>(std::vector<std::string>{PSS_BIN, "collect", "--listen", listen,
                                                                               "--out", out});
    ASSERT_TRUE(server->wait_for_err("listening on", 30)) << server->err();
    const std::string truth = path("truth.ndjson");
    BackgroundProcess tests({PSS_FLEET_FIXTURE, "--gtest_repeat=20"},
                            {{"PSS_COLLECTOR", "grpc://" + listen}, {"PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR},
                             {"PSS_TRACE_FILE", truth}, {"PSS_RUN_ID", "grpc"}, {"PSS_FLEET_SLEEP_US", "1000"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    server->signal(SIGKILL);
    server->wait();
    server = std::make_unique<BackgroundProcess>(std::vector<std::string>{PSS_BIN, "collect", "--listen", listen,
                                                                          "--out", out});
    ASSERT_TRUE(server->wait_for_err("listening on", 30)) << server->err();
    tests.wait();
    server->signal(SIGTERM);
    EXPECT_EQ(server->wait(), 0) << server->err();
    EXPECT_EQ(reported_drops(tests.err()), 0u) << tests.err();
    // Every record once and in order, whatever was sent twice around the restart.
    EXPECT_EQ(read_file(out), read_file(truth)) << server->err();
    const auto merged = run_pss({"merge", "--from", out, "--json", path("merged.json")});
    EXPECT_EQ(merged.exit_code, 1) << merged.err;
    EXPECT_EQ(verdicts(path("merged.json")).at("Fleet.FailsEveryThirdRun"), "flaky");
}

TEST_F(FleetTest, PssCollectRelaysToRedisAndPssRunSendsThroughGrpc) {
    const int port = free_port();
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    const std::string stream = redis->uri(0, stream_);
    BackgroundProcess server({PSS_BIN, "collect", "--listen", listen, "--out", stream}, plugin_env());
    ASSERT_TRUE(server.wait_for_err("listening on", 30)) << server.err();
    const auto run = run_pss({"run", "--repeat", "6", "--no-confirm", "--collector", "grpc://" + listen, "--run-id",
                          "relayed", "--json", path("run.json"), "--", PSS_FLEET_FIXTURE});
    ASSERT_EQ(run.exit_code, 1) << run.err;
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0) << server.err();
    const auto merged = run_pss({"merge", "--from", stream, "--run-id", "relayed", "--json", path("merged.json")});
    ASSERT_EQ(merged.exit_code, 1) << merged.err;
    EXPECT_EQ(verdicts(path("merged.json")), verdicts(path("run.json")));
}

TEST_F(FleetTest, ACustomCollectorPluginGetsEveryRecordAndOneThatHangsBlocksNoTest) {
    const std::string captured = path("captured.txt");
    const auto ok = run_process({PSS_FLEET_FIXTURE, "--gtest_repeat=3"},
                                {{{"PSS_COLLECTOR", "capture://" + captured}, {"PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR},
                                  {"PSS_TRACE_FILE", path("truth.ndjson")}}});
    EXPECT_EQ(ok.exit_code, 1) << ok.err;
    // Every record, then the process's end-of-collection report.
    EXPECT_EQ(lines(captured), lines(path("truth.ndjson")) + 1);
    EXPECT_NE(read_file(captured).find("\"pss_control\":\"end\""), std::string::npos);

    ProcessOptions hang;
    hang.env = {{"PSS_COLLECTOR", "capture://hang"}, {"PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR},
                {"PSS_COLLECTOR_FLUSH_SECONDS", "0.2"}, {"PSS_CAPTURE_RELEASE", path("never")}};
    hang.timeout_seconds = 60;
    const auto hung = run_process({PSS_FLEET_FIXTURE, "--gtest_repeat=3"}, hang);
    EXPECT_EQ(hung.signal, 0) << "the process was killed: it hung";
    EXPECT_EQ(hung.exit_code, 1) << hung.err;
    EXPECT_EQ(reported_drops(hung.err), 3u * 22u) << hung.err;
}

TEST_F(FleetTest, AnUnknownCollectorIsAClearMessageAndTheTestsRunOn) {
    const auto r = run_process({PSS_FLEET_FIXTURE, "--gtest_filter=Fleet.Passes1"},
                               {{{"PSS_COLLECTOR", "kafka://broker:9092"}, {"PSS_COLLECTOR_PATH", dir_}}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("no collector plugin pss_collector_kafka.so"), std::string::npos) << r.err;
    const auto run = run_pss({"run", "--repeat", "2", "--collector", "kafka://broker:9092", "--", PSS_FLEET_FIXTURE});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find("pss_collector_kafka.so"), std::string::npos) << run.err;
}

// Issue 15, item 7: with --store-history or --fail-on-regression, a history
// that cannot be read or written is an error (exit 3) that says why, and the
// results are still written; without them it stays a warning.
TEST_F(FleetTest, AHistoryThatCannotBeUsedFailsClosedAndTheResultsAreKept) {
    const std::vector<std::string> passing{"run", "--repeat", "3", "--no-confirm", "--filter", "Fleet.Passes*"};
    auto run = [&](const std::string& db, std::vector<std::string> flags) {
        std::vector<std::string> args = passing;
        args.insert(args.end(), flags.begin(), flags.end());
        std::filesystem::remove(path("r.json"));
        args.insert(args.end(), {"--db", db, "--json", path("r.json"), "--", PSS_FLEET_FIXTURE});
        return run_pss(args);
    };
    auto expect_closed = [&](const ProcessResult& r, const std::string& why) {
        EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
        EXPECT_NE((r.out + r.err).find(why), std::string::npos) << r.out << r.err;
        ASSERT_TRUE(std::filesystem::exists(path("r.json"))) << "the results were lost";
        EXPECT_EQ(nlohmann::json::parse(read_file(path("r.json"))).at("tests").size(), 20u);
    };

    write_file(path("corrupt.db"), std::string(8192, 'Z'));
    expect_closed(run(path("corrupt.db"), {"--store-history"}), "not a pss history or is corrupt");
    expect_closed(run(dir_, {"--fail-on-regression"}), "is not a regular file but a directory");
    expect_closed(run("/proc/pss-no-such/history.db", {"--store-history"}), "this run was not stored");
    const std::string down = "postgresql://pss@127.0.0.1:" + std::to_string(free_port()) + "/pss";
    expect_closed(run(down, {"--store-history"}), "cannot connect to history database");
    expect_closed(run(down, {"--fail-on-regression"}), "regressions were not checked (--fail-on-regression)");

    // A schema from a newer pss, on both backends.
    const std::string pg = postgres->create_database("fleet_newer");
    ASSERT_EQ(run(pg, {"--store-history"}).exit_code, 0);
    ASSERT_EQ(run(path("h.db"), {"--store-history"}).exit_code, 0);
    postgres->sql(pg, "UPDATE pss_schema SET version = 99");
    expect_closed(run(pg, {"--fail-on-regression"}), "newer than this pss understands");

    // Nothing asked of the history: a warning, and the gate decides.
    const auto warned = run(down, {"--baseline-branch", "main"});
    EXPECT_EQ(warned.exit_code, 0) << warned.err;
    EXPECT_NE(warned.err.find("regressions were not checked"), std::string::npos) << warned.err;
}

TEST_F(FleetTest, AHistoryMovesFromSQLiteToPostgresAndPssHistoryReadsBoth) {
    const std::string lite = path("h.db"), pg = postgres->create_database("fleet_moved");
    for (int i = 0; i < 2; ++i)
        ASSERT_EQ(run_pss({"run", "--repeat", "3", "--no-confirm", "--filter", "Fleet.Passes*", "--store-history", "--db",
                           lite, "--", PSS_FLEET_FIXTURE})
                      .exit_code,
                  0);
    const auto exported = run_pss({"history", "--db", lite, "--export", "history"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    write_file(path("moved.jsonl"), exported.out);
    const auto imported = run_pss({"history", "--db", pg, "--import", path("moved.jsonl")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(imported.out.find("Imported 2 runs (40 test results)"), std::string::npos) << imported.out;
    EXPECT_EQ(run_pss({"history", "--db", pg, "--export", "csv"}).out, run_pss({"history", "--db", lite, "--export", "csv"}).out);
    const auto trend = run_pss({"history", "--db", pg, "--test", "Fleet.Passes3", "--export", "json"});
    EXPECT_EQ(nlohmann::json::parse(trend.out).size(), 2u) << trend.out;
}

TEST_F(FleetTest, TheSendingThreadsAllocationsAreInNoTestsHeapFigures) {
    // Each test's heap figures with the records going to a file only, then
    // with a collector sending one record a batch: its thread frees earlier
    // tests' records and allocates its own while the next tests run, and
    // none of that may show in a test's figures.
    auto heap_figures = [&](const std::string& truth, std::map<std::string, std::string> env) {
        env["PSS_TRACE_FILE"] = truth;
        env["PSS_FLEET_SLEEP_US"] = "300";
        const auto r = run_process({PSS_FLEET_FIXTURE, "--gtest_repeat=20", "--gtest_filter=Fleet.Passes*"}, {env});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        std::map<std::string, std::set<std::pair<double, double>>> figures;
        std::ifstream in(truth);
        for (std::string line; std::getline(in, line);) {
            const auto j = nlohmann::json::parse(line);
            figures[j.at("name").get<std::string>()].insert({j.at("memory").get<double>(), j.at("memory_diff").get<double>()});
        }
        return figures;
    };
    const auto alone = heap_figures(path("alone.ndjson"), {});
    const auto collected = heap_figures(path("collected.ndjson"),
                                        {{"PSS_COLLECTOR", "capture://" + path("captured.txt")},
                                         {"PSS_COLLECTOR_PATH", PSS_COLLECTOR_DIR}, {"PSS_COLLECTOR_BATCH", "1"}});
    ASSERT_EQ(alone.size(), 20u);
    for (const auto& [name, values] : alone) EXPECT_EQ(values.size(), 1u) << name << ": the baseline varies";
    EXPECT_EQ(collected, alone);
    EXPECT_EQ(lines(path("captured.txt")), 20u * 20u + 1u);
}

TEST_F(FleetTest, PssRunTakesPSS_COLLECTORAndItsTestProcessesDoNotSendTheRecordsAgain) {
    const std::string captured = path("captured.txt");
    const auto r = run_pss({"run", "--repeat", "3", "--json", path("run.json"), "--", PSS_FLEET_FIXTURE},
                           {{"PSS_COLLECTOR", "capture://" + captured}});
    ASSERT_EQ(r.exit_code, 1) << r.err;
    // Once each, from pss-run: the 66 records it scored and its end report;
    // the re-runs that confirm the flaky and failing tests are not among them.
    EXPECT_EQ(lines(captured), 22u * 3u + 1u) << read_file(captured).substr(0, 2000);
}
