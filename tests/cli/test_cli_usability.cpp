// The command line as a new user meets it: typos get "did you mean",
// options work after the binaries, errors say what a value must be, usage
// shows the program and the -- form, and everything fits 80 columns.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "process.hpp"

using pss::test::ProcessResult;
using pss::test::read_file;
using pss::test::run_process;
using pss::test::write_file;

namespace {

class CliUsability : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-cli"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ProcessResult run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.env = std::move(env);
        o.env.emplace("COLUMNS", "80");
        o.unset_env = {"PSS_CONFIG", "NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "GITHUB_ACTIONS"};
        for (const auto& [k, v] : o.env) std::erase(o.unset_env, k);
        o.timeout_seconds = 240;
        return run_process(args, o);
    }
    ProcessResult pss(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
        args.insert(args.begin(), PSS_EXE);
        return run(std::move(args), std::move(env));
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // Results of tests with long names (pss merge of a trace file), in r.json.
    void long_named_results() {
        std::string traces;
        for (int run = 0; run < 6; ++run)
            for (int i = 0; i < 3; ++i) {
                nlohmann::json r{{"name", "AVeryLongTestSuiteNameForTheParser.HandlesDeeplyNestedInputNumber" +
                                              std::to_string(i) + "WithoutRecursionLimits"},
                                 {"module", "parser_tests.Parser"}, {"kind", "test"}, {"run", run},
                                 {"duration", 0.001 * (1 + (run == 5 && i == 0) * 9)}, {"memory", 1024},
                                 {"error", i == 1 && run == 2}};
                traces += r.dump() + "\n";
            }
        write_file(path("t.ndjson"), traces);
        ASSERT_EQ(pss({"merge", path("t.ndjson"), "--json", path("r.json"), "--no-alerts"}).exit_code, 1);
    }

    static std::size_t widest_line(const std::string& text) {
        std::size_t widest = 0, cols = 0;
        for (unsigned char c : text) {
            if (c == '\n') {
                widest = std::max(widest, cols);
                cols = 0;
            } else if ((c & 0xC0) != 0x80) {
                ++cols;
            }
        }
        return std::max(widest, cols);
    }

    std::string dir_;
};

}  // namespace

TEST_F(CliUsability, MistypedOptionIsNamedWithTheNearestOne) {
    const auto r = pss({"run", "--repat", "10", "--", "./t"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown option '--repat'. Did you mean '--repeat'?"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("./t"), std::string::npos) << "blames the wrong argument: " << r.err;
    EXPECT_NE(r.err.find("Usage: pss run [OPTIONS] -- BINARY..."), std::string::npos) << r.err;

    const auto merge = pss({"merge", "--fail-belo", "70", "x.ndjson"});
    EXPECT_EQ(merge.exit_code, 2);
    EXPECT_NE(merge.err.find("Did you mean '--fail-below'?"), std::string::npos) << merge.err;
}

TEST_F(CliUsability, MistypedCommandIsNamedWithTheNearestOne) {
    const auto r = pss({"histroy"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command 'histroy'. Did you mean 'history'?"), std::string::npos) << r.err;
    const auto none = pss({});
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.err.find("no command given. Commands: "), std::string::npos) << none.err;
}

TEST_F(CliUsability, ValuesAreExplained) {
    auto r = pss({"run", "--repeat=abc", "--", "./t"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--repeat takes a number from 1 to 100000 or auto, not 'abc'."), std::string::npos) << r.err;
    r = pss({"run", "--repeat", "0", "--", "./t"});
    EXPECT_NE(r.err.find("--repeat 0 is out of range: give a number from 1 to 100000, or auto."), std::string::npos) << r.err;
    r = pss({"run", "--mode", "nativ", "--", "./t"});
    EXPECT_NE(r.err.find("--mode takes one of auto, listener, native, isolate, not 'nativ'. Did you mean 'native'?"),
              std::string::npos)
        << r.err;
    r = pss({"run", "--json"});
    EXPECT_NE(r.err.find("--json needs a value after it"), std::string::npos) << r.err;
}

// Seen while probing the parsers beside the fuzz targets: explaining
// CLI11's message for a 100 KB value ran std::regex over it, which recursed
// until the stack overflowed (SIGSEGV instead of a usage error).
TEST_F(CliUsability, HugeValuesAreUsageErrorsNotCrashes) {
    const auto r = pss({"analyze", "--fail-if-below", std::string(100000, '9'), "--trace-file", "t.ndjson"});
    EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 300);
    EXPECT_NE(r.err.find("--fail-if-below: Value 999"), std::string::npos) << r.err.substr(0, 300);
    EXPECT_NE(r.err.find("(100"), std::string::npos) << r.err.substr(0, 300);  // shortened, with its length
    EXPECT_LT(r.err.size(), 2000u);
}

TEST_F(CliUsability, OptionsMayFollowTheBinaries) {
    const auto r = run({PSS_RUN_EXE, "--repeat", "2", "--", FIXTURE_GTEST, "--filter", "Stable.*", "--json",
                        path("r.json"), "--no-confirm"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = nlohmann::json::parse(read_file(path("r.json")));
    EXPECT_EQ(j["tests"].size(), 3u);
    EXPECT_EQ(j["run"]["repeat"], 2);

    const auto typo = run({PSS_RUN_EXE, "--", FIXTURE_GTEST, "--jsn", path("r.json")});
    EXPECT_EQ(typo.exit_code, 2);
    EXPECT_NE(typo.err.find("unknown option '--jsn' after the binaries. Did you mean '--json'? Arguments for the "
                            "test binaries go after a second --."),
              std::string::npos)
        << typo.err;
}

TEST_F(CliUsability, UsageShowsTheProgramAndTheDashDashForm) {
    EXPECT_EQ(run({PSS_RUN_EXE, "--help"}).out.rfind("Usage: pss-run [OPTIONS] -- BINARY... [-- ARGS", 0), 0u);
    EXPECT_EQ(pss({"run", "--help"}).out.rfind("Usage: pss run [OPTIONS] -- BINARY... [-- ARGS", 0), 0u);
    EXPECT_EQ(pss({"report", "--help"}).out.rfind("Usage: pss report --from FILE [OPTIONS]", 0), 0u);
    EXPECT_EQ(pss({"--help"}).out.rfind("Usage: pss COMMAND [OPTIONS]", 0), 0u);
}

TEST_F(CliUsability, HelpFitsEightyColumns) {
    for (const char* command : {"run", "merge", "analyze", "report", "history"}) {
        const auto r = pss({command, "--help"});
        EXPECT_EQ(r.exit_code, 0) << command;
        EXPECT_LE(widest_line(r.out), 80u) << r.out;
        EXPECT_NE(r.out.find("--color auto|always|never"), std::string::npos) << command;
    }
    EXPECT_LE(widest_line(pss({"--help"}).out), 80u);
    // A wide terminal gets wider lines (the help follows the terminal).
    EXPECT_GT(widest_line(pss({"run", "--help"}, {{"COLUMNS", "120"}}).out), 80u);
}

TEST_F(CliUsability, TableFitsEightyColumnsWithNamesShortenedInTheMiddle) {
    long_named_results();
    const auto r = pss({"report", "--from", path("r.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LE(widest_line(r.out), 80u) << r.out;
    // Start and end of the name stay; the files keep it whole.
    EXPECT_NE(r.out.find("AVeryLong"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\xE2\x80\xA6"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Limits"), std::string::npos) << r.out;
    EXPECT_NE(read_file(path("r.json")).find("HandlesDeeplyNestedInputNumber1WithoutRecursionLimits"), std::string::npos);
    // Without a known width (a pipe, no COLUMNS) rows are not cut.
    const auto wide = pss({"report", "--from", path("r.json")}, {{"COLUMNS", ""}});
    EXPECT_NE(wide.out.find("HandlesDeeplyNestedInputNumber1WithoutRecursionLimits"), std::string::npos) << wide.out;
}

TEST_F(CliUsability, ColourCanBeForcedAndTurnedOff) {
    long_named_results();
    const std::string esc = "\x1b[";
    EXPECT_EQ(pss({"report", "--from", path("r.json")}).out.find(esc), std::string::npos);  // not a terminal
    EXPECT_NE(pss({"report", "--from", path("r.json"), "--color", "always"}).out.find(esc), std::string::npos);
    EXPECT_NE(pss({"report", "--from", path("r.json")}, {{"FORCE_COLOR", "1"}}).out.find(esc), std::string::npos);
    EXPECT_NE(pss({"report", "--from", path("r.json")}, {{"CLICOLOR_FORCE", "1"}}).out.find(esc), std::string::npos);
    EXPECT_EQ(pss({"report", "--from", path("r.json")}, {{"FORCE_COLOR", "1"}, {"NO_COLOR", "1"}}).out.find(esc),
              std::string::npos);
    EXPECT_EQ(pss({"--color", "never", "report", "--from", path("r.json")}, {{"FORCE_COLOR", "1"}}).out.find(esc),
              std::string::npos);
}

TEST_F(CliUsability, HistoryShowsRunIdsTrendsAndALegendAndRejectsAnUnknownTest) {
    write_file(path("t.ndjson"), "{\"name\":\"Net.Retries\",\"module\":\"net\",\"kind\":\"test\",\"run\":0,"
                                 "\"duration\":0.001,\"error\":false}\n{\"name\":\"Net.Retries\",\"module\":\"net\","
                                 "\"kind\":\"test\",\"run\":1,\"duration\":0.001,\"error\":false}\n");
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(pss({"merge", path("t.ndjson"), "--store-history", "--db", path("h.db"), "--no-alerts"}).exit_code, 0);
    const auto runs = pss({"history", "--db", path("h.db")});
    ASSERT_EQ(runs.exit_code, 0) << runs.err;
    EXPECT_LE(widest_line(runs.out), 80u) << runs.out;
    EXPECT_NE(runs.out.find("RUN  WHEN"), std::string::npos) << runs.out;
    EXPECT_NE(runs.out.find("\n    3  "), std::string::npos) << runs.out;  // the newest run's id
    EXPECT_NE(runs.out.find("PSS of the last 3 runs, oldest first: \xE2\x96"), std::string::npos) << runs.out;
    EXPECT_NE(runs.out.find("WEAKEST: the lowest of the five sub-scores"), std::string::npos) << runs.out;

    const auto trend = pss({"history", "--db", path("h.db"), "--test", "Net.Retries"});
    EXPECT_EQ(trend.exit_code, 0) << trend.err;
    EXPECT_LE(widest_line(trend.out), 80u) << trend.out;
    EXPECT_NE(trend.out.find("TREND: the test's PSS"), std::string::npos) << trend.out;

    const auto unknown = pss({"history", "--db", path("h.db"), "--test", "Net.Retry"});
    EXPECT_EQ(unknown.exit_code, 3);
    EXPECT_NE(unknown.err.find("no test named 'Net.Retry'"), std::string::npos) << unknown.err;
    EXPECT_NE(unknown.err.find("Did you mean 'Net.Retries'?"), std::string::npos) << unknown.err;
    EXPECT_EQ(unknown.out, "");
}

// pss collect runs the gRPC server program pss-collect installed next to pss
// (so that no other command loads gRPC); without it, one line says so.
TEST_F(CliUsability, CollectWithoutItsServerProgramSaysWhatIsMissing) {
    const std::string lone = path("pss");
    std::filesystem::copy_file(PSS_EXE, lone);
    std::filesystem::permissions(lone, std::filesystem::perms::owner_all);
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    const auto r = run_process({lone, "collect", "--listen", "127.0.0.1:0", "--out", path("c.ndjson")}, o);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("cannot run '" + path("pss-collect") + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("reinstall pss"), std::string::npos) << r.err;
}
