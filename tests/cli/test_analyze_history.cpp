// pss analyze with history: trace files from two campaigns, stored, the
// second compared with the first; the regressed test is named, the others not.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "process.hpp"

using pss::test::read_file;
using pss::test::run_process;
using pss::test::write_file;

namespace {

// `runs` records each of Math.Adds and Net.Retries; Net.Retries fails every
// `fail_every`-th run (0: never).
std::string campaign(int runs, int fail_every) {
    std::string out;
    for (int i = 0; i < runs; ++i) {
        out += fmt::format(R"({{"name":"Math.Adds","module":"unit","run":{},"duration":0.0100,"memory":1000,"error":false}})"
                           "\n",
                           i);
        const bool fails = fail_every > 0 && i % fail_every == 1;
        out += fmt::format(R"({{"name":"Net.Retries","module":"unit","run":{},"duration":0.0200,"memory":1000,"error":{}}})"
                           "\n",
                           i, fails ? "true" : "false");
    }
    return out;
}

class AnalyzeHistory : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-analyze-history"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    pss::test::ProcessResult pss(std::vector<std::string> args) {
        args.insert(args.begin(), PSS_EXE);
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.unset_env = {"PSS_CONFIG"};
        return run_process(args, o);
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    std::string dir_;
};

}  // namespace

TEST_F(AnalyzeHistory, StoresEachAnalysisAndFindsTheTestThatBecameFlaky) {
    write_file(path("before.ndjson"), campaign(20, 0));
    write_file(path("after.ndjson"), campaign(20, 4));
    const std::string db = path("h/history.db");
    const auto first = pss({"analyze", "--trace-file", path("before.ndjson"), "--store-history", "--db", db});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.err.find("stored as run 1"), std::string::npos) << first.err;

    const auto second = pss({"analyze", "--trace-file", path("after.ndjson"), "--store-history", "--db", db,
                             "--fail-on-regression", "--json", path("after.json")});
    EXPECT_EQ(second.exit_code, 1) << second.out << second.err;
    EXPECT_NE(second.err.find("regression (new-failure): Net.Retries: now flaky (5 of 20 runs failed)"),
              std::string::npos)
        << second.err;
    EXPECT_EQ(second.err.find("Math.Adds"), std::string::npos) << second.err;
    // Also a PSS drop: a test scores at most its pass rate (15 of 20 runs passed).
    EXPECT_NE(second.out.find("Regressions against history:\n"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("\n- Net.Retries: now flaky"), std::string::npos) << second.out;
    EXPECT_NE(second.out.find("gate failed: 1 regressed test"), std::string::npos) << second.out;
    const auto j = nlohmann::json::parse(read_file(path("after.json")));
    ASSERT_TRUE(j.contains("regressions"));
    bool new_failure = false;
    for (const auto& r : j["regressions"]) {
        EXPECT_EQ(r["test"], "Net.Retries") << r;
        if (r["rule"] == "new-failure") {
            new_failure = true;
            EXPECT_NE(r["message"].get<std::string>().find("now flaky"), std::string::npos);
        }
    }
    EXPECT_TRUE(new_failure) << j["regressions"];
    for (const auto& r : j["regressions"]) EXPECT_NE(r["test"], "Math.Adds") << r;

    // Both analyses are in the history, each with its tests.
    const auto runs = pss({"history", "--db", db, "--export", "json"});
    ASSERT_EQ(runs.exit_code, 0) << runs.err;
    const auto stored = nlohmann::json::parse(runs.out);
    ASSERT_EQ(stored.size(), 2u);
    EXPECT_NE(stored[0]["source"].get<std::string>().find("after.ndjson"), std::string::npos);
    EXPECT_EQ(stored[0]["gate_exit"], 1);
    const auto trend = pss({"history", "--db", db, "--test", "Net.Retries", "--export", "csv"});
    EXPECT_NE(trend.out.find("flaky"), std::string::npos) << trend.out;
    EXPECT_NE(trend.out.find("stable"), std::string::npos) << trend.out;
}

TEST_F(AnalyzeHistory, WithoutFailOnRegressionTheExitCodeIsTheScoresAlone) {
    write_file(path("before.ndjson"), campaign(20, 0));
    write_file(path("after.ndjson"), campaign(20, 4));
    const std::string db = path("history.db");
    ASSERT_EQ(pss({"analyze", "--trace-file", path("before.ndjson"), "--store-history", "--db", db}).exit_code, 0);
    const auto second = pss({"analyze", "--trace-file", path("after.ndjson"), "--db", db, "--baseline-branch", ""});
    EXPECT_EQ(second.exit_code, 0) << second.err;
    EXPECT_NE(second.out.find("Regressions against history:"), std::string::npos) << second.out;
    // Not stored: only --store-history stores.
    const auto runs = pss({"history", "--db", db, "--export", "json"});
    EXPECT_EQ(nlohmann::json::parse(runs.out).size(), 1u);
}
