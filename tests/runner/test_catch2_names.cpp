// pss-run on a Catch2 binary of 300 tests whose names Catch2's command line
// treats specially ('#' first, commas, brackets, quotes, backslashes, '~',
// '*', surrounding spaces): every test is listed, selected and run as the
// framework has it, in one process per run and job, also after a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "test_binary.hpp"

using json = nlohmann::json;

namespace {

constexpr std::size_t fixture_tests = 300;

class Catch2Names : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-catch2-names"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    pss::test::ProcessResult pss_run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
        args.insert(args.begin(), PSS_RUN_EXE);
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE", "NO_COLOR", "FIXTURE_CRASH_AT"};
        o.env = std::move(env);
        o.env["FIXTURE_PROCESS_LOG"] = path("processes.log");
        o.timeout_seconds = 240;
        return run_process(args, o);
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    json results() const { return json::parse(pss::test::read_file(path("r.json"))); }
    // Processes the fixture started, the listing included.
    std::size_t processes() const {
        const std::string log = pss::test::read_file(path("processes.log"));
        return static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n'));
    }

    std::string dir_;
};

using pss::test::run_process;

// Names as the fixture declares them (trimmed, as Catch2 matches them).
const std::set<std::string> some_names = {
    "#100 starts with a hash",
    "#101, a hash, then commas",
    "#102 [bracketed] like a tag",
    "#103 \"quoted\" and back\\slashed",
    "~104 tilde first, then [all] \"of\" them\\",
    "name 105 with a *star* inside and spaces around",
    "name 106 ends with a backslash\\",
    "\\107 backslash first, exclude:[x]",
};

void expect_every_test_stable(const json& j, int runs) {
    ASSERT_EQ(j["tests"].size(), fixture_tests);
    std::set<std::string> names;
    for (const auto& t : j["tests"]) {
        names.insert(t["name"].get<std::string>());
        EXPECT_EQ(t["verdict"], "stable") << t["name"] << ": " << t["observations"].dump();
        EXPECT_EQ(t["runs"], runs) << t["name"];
        EXPECT_EQ(t["failures"], 0) << t["name"];
    }
    for (const auto& name : some_names) EXPECT_TRUE(names.count(name)) << "missing: " << name;
}

TEST_F(Catch2Names, AllThreeHundredTestsAreListedAndRunByTheirNames) {
    const auto r = pss_run({"--repeat", "2", "--json", path("r.json"), "--", FIXTURE_CATCH2_NAMES});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;  // not 3: listing 300 tests exits with 255
    expect_every_test_stable(results(), 2);
    EXPECT_LE(processes(), 1u + 2u) << "one listing, one process per run";
}

TEST_F(Catch2Names, ParallelJobsSelectTheirShareByName) {
    const auto r = pss_run({"--repeat", "2", "-j", "3", "--json", path("r.json"), "--", FIXTURE_CATCH2_NAMES});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expect_every_test_stable(results(), 2);
    EXPECT_LE(processes(), 1u + 2u * 3u) << "one listing, one process per run and job";
}

TEST_F(Catch2Names, TheRestOfARunIsRerunInOneProcessAfterACrash) {
    const auto r = pss_run({"--repeat", "2", "--no-confirm", "--json", path("r.json"), "--", FIXTURE_CATCH2_NAMES},
                           {{"FIXTURE_CRASH_AT", "105"}});
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    const json j = results();
    ASSERT_EQ(j["tests"].size(), fixture_tests);
    for (const auto& t : j["tests"]) {
        EXPECT_EQ(t["runs"], 2) << t["name"];
        if (t["name"] == "name 105 with a *star* inside and spaces around") {
            EXPECT_EQ(t["verdict"], "failing");
            EXPECT_EQ(t["failure_samples"][0]["type"], "crash:SIGSEGV");
        } else {
            EXPECT_EQ(t["verdict"], "stable") << t["name"];
        }
    }
    EXPECT_LE(processes(), 1u + 2u * 2u) << "per run: the crashed process and one for the rest";
}

TEST(Catch2List, QuotedHashNamesAndSurroundingSpaces) {
    const auto names = pss::runner::parse_catch2_list("\"#1 hash\"\n  spaced name \r\nplain\n\n\"quoted\" not hash\n");
    const std::vector<std::string> expected{"#1 hash", "spaced name", "plain", "\"quoted\" not hash"};
    EXPECT_EQ(names, expected);
}

TEST(Catch2List, InputFileLinesQuoteAndEscape) {
    EXPECT_EQ(pss::runner::catch2_input_file_line("#1 a, b [c] \"d\" e\\"), "\"#1 a\\, b \\[c\\] \\\"d\\\" e\\\\\"");
    EXPECT_EQ(pss::runner::catch2_input_file_line("  ~x  "), "\"\\~x\"");
}

}  // namespace
