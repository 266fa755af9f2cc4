// pss board: the JSON API on a history and a trace file, and the server as
// users start it (pss board --db --traces --port).
#include <filesystem>
#include <regex>
#include <thread>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "board_data.hpp"
#include "process.hpp"
#include "pss/board/api.hpp"
#include "servers.hpp"

namespace {

using nlohmann::json;
using pss::test::run_process;

const std::string pss_exe = PSS_EXE;

class Board : public testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = pss::test::make_temp_dir("pss-board");
        pss::test::write_board_history(dir_ + "/history.db", 40, 12);
        pss::test::write_board_traces(dir_ + "/traces.ndjson", dir_ + "/reconnect_test.cpp");
        model_ = new pss::board::Model();
        pss::board::load_history(*model_, *pss::ci::open_history_store(dir_ + "/history.db"));
        pss::board::load_traces(*model_, dir_ + "/traces.ndjson", pss::Config{});
        pss::board::finish(*model_);
    }
    static void TearDownTestSuite() {
        delete model_;
        std::filesystem::remove_all(dir_);
    }
    static json get(const std::string& path, const pss::board::Params& params = {}) {
        const auto a = pss::board::answer_api(*model_, path, params);
        EXPECT_TRUE(a.has_value()) << path;
        EXPECT_EQ(a->status, 200) << a->body;
        return json::parse(a->body);
    }
    static inline std::string dir_;
    static inline pss::board::Model* model_ = nullptr;
};

TEST_F(Board, TestTableFiltersByVerdictSuiteAndName) {
    const json all = get("/api/tests", {{"run", "0"}, {"limit", "500"}});
    EXPECT_EQ(all["total"], 40);
    EXPECT_EQ(all["rows"][0]["verdict"], "flaky") << "worst first";
    const json flaky = get("/api/tests", {{"run", "0"}, {"verdict", "flaky"}});
    EXPECT_EQ(flaky["total"], all["counts"]["flaky"]);
    for (const auto& r : flaky["rows"]) EXPECT_EQ(r["verdict"], "flaky");
    const json suite = get("/api/tests", {{"run", "0"}, {"suite", "Net"}});
    ASSERT_EQ(suite["total"], 1);
    EXPECT_EQ(suite["rows"][0]["name"], pss::test::flaky_test);
    const json named = get("/api/tests", {{"run", "0"}, {"q", "reconnects"}});
    ASSERT_EQ(named["total"], 1);
    // The sparkline: the test's PSS in the runs up to this one.
    const json newest_history = get("/api/tests", {{"run", "11"}, {"q", "reconnects"}});
    EXPECT_EQ(newest_history["rows"][0]["trend"].size(), 12u);
    EXPECT_EQ(newest_history["rows"][0]["trend"][1], 56);
}

TEST_F(Board, OneTestHasItsScoresDistributionsErrorsEntropyAndFailures) {
    const json row = get("/api/tests", {{"q", "reconnects"}})["rows"][0];  // the newest run: the trace file
    const json t = get("/api/test", {{"id", std::to_string(row["id"].get<int>())}});
    EXPECT_EQ(t["history"].size(), 13u) << "12 history runs and the trace file";
    EXPECT_EQ(t["history"][0]["sub"].size(), 5u);
    EXPECT_EQ(t["history"][0]["failures"], 1);
    const json& tr = t["trace"];
    EXPECT_EQ(tr["durations"].size(), 30u);
    EXPECT_EQ(tr["memory"][4], 4096);
    EXPECT_EQ(tr["failed"][1], 1);
    EXPECT_EQ(tr["tags"].size(), 3u);  // none, fast-path, retry
    EXPECT_NEAR(tr["entropy"][29].get<double>(), 0.881, 0.001);  // 6 fast-path, 14 retry in the last 20 runs
    ASSERT_FALSE(tr["failures"].empty());
    const json& f = tr["failures"][0];
    EXPECT_EQ(f["run"], 2);
    EXPECT_EQ(f["line"], 3);
    bool hit = false;
    for (const auto& l : f["source"])
        if (l[0] == 3) hit = l[1].get<std::string>().find("EXPECT_TRUE(reconnected)") != std::string::npos;
    EXPECT_TRUE(hit) << f.dump();
    EXPECT_EQ(tr["metrics"][0]["name"], "net.retries");
}

TEST_F(Board, BranchComparisonAndRuns) {
    const json c = get("/api/compare", {{"branch", "feature/x"}, {"baseline", "main"}});
    EXPECT_EQ(c["compared"], 40);
    EXPECT_GT(c["worse"].get<int>(), 5);
    EXPECT_LT(c["rows"][0]["change"].get<int>(), 0) << "the biggest drop first";
    const json runs = get("/api/runs");
    EXPECT_EQ(runs["total"], 13);
    EXPECT_EQ(runs["runs"][0]["branch"], "traces") << "newest first";
    EXPECT_EQ(runs["runs"][1]["gate"], "passed");
    EXPECT_EQ(get("/api/summary")["branches"].size(), 3u);
    const auto missing = pss::board::answer_api(*model_, "/api/test", {{"id", "99999"}});
    EXPECT_EQ(missing->status, 404);
}

TEST_F(Board, ServesThePageAndApiOnLoopback) {
    pss::test::BackgroundProcess board({pss_exe, "board", "--db", dir_ + "/history.db", "--traces",
                                        dir_ + "/traces.ndjson", "--port", "0"});
    const std::string url = pss::test::wait_for_board_url(board);
    ASSERT_FALSE(url.empty()) << board.out() << board.err();
    httplib::Client client("127.0.0.1", pss::test::board_port(url));
    const auto page = client.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(page->body.find("<script>"), std::string::npos) << "no inline script";
    const auto api = client.Get("/api/tests?q=img");
    ASSERT_TRUE(api);
    // JSON, never sniffed as HTML: the page puts every string in as text.
    EXPECT_EQ(api->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(api->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(json::parse(api->body)["rows"][0]["name"], pss::test::hostile_test);
    EXPECT_EQ(client.Post("/api/tests", "", "text/plain")->status, 404) << "read-only: GET only";
    board.signal(SIGINT);
    EXPECT_EQ(board.wait(), 0) << board.err();
}

// A port in use is an error, not a second server sharing it unseen.
TEST_F(Board, APortInUseIsAnErrorForTheBoardAndTheExporter) {
    pss::test::BackgroundProcess first({pss_exe, "board", "--db", dir_ + "/history.db", "--port", "0"});
    const std::string url = pss::test::wait_for_board_url(first);
    ASSERT_FALSE(url.empty()) << first.out() << first.err();
    const std::string port = std::to_string(pss::test::board_port(url));
    pss::test::ProcessOptions briefly;
    briefly.timeout_seconds = 10;  // a second server that started serves until killed
    for (const char* command : {"board", "exporter"}) {
        const auto second = run_process({pss_exe, command, "--db", dir_ + "/history.db", "--port", port}, briefly);
        EXPECT_EQ(second.exit_code, 3) << command << ": " << second.out << second.err;
        EXPECT_NE(second.err.find("cannot listen on 127.0.0.1:" + port + " (in use"), std::string::npos)
            << command << ": " << second.err;
    }
    first.signal(SIGINT);
    EXPECT_EQ(first.wait(), 0) << first.err();
}

TEST_F(Board, WarnsWhenOpenedToTheNetworkAndFailsWithoutData) {
    pss::test::BackgroundProcess open({pss_exe, "board", "--db", dir_ + "/history.db", "--port", "0", "--host",
                                       "0.0.0.0"});
    EXPECT_TRUE(open.wait_for_err("reachable from other machines", 30)) << open.err();
    open.signal(SIGTERM);
    EXPECT_EQ(open.wait(), 0);
    const auto none = run_process({pss_exe, "board", "--db", dir_ + "/nothing.db", "--port", "0"});
    EXPECT_EQ(none.exit_code, 3);
    EXPECT_NE(none.err.find("nothing to show"), std::string::npos) << none.err;
}

}  // namespace
