// `pss analyze` as a user runs it: exit codes, messages, the text and JSON reports.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "process.hpp"

using pss::test::ProcessResult;
using pss::test::read_file;
using pss::test::run_process;
using pss::test::write_file;

namespace {

class AnalyzeCli : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-analyze"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ProcessResult pss(std::vector<std::string> args) {
        args.insert(args.begin(), PSS_EXE);
        pss::test::ProcessOptions o;
        o.cwd = dir_;  // no pss.toml above a temp dir
        o.unset_env = {"PSS_CONFIG"};
        return run_process(args, o);
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    std::string data(const std::string& name) const { return std::string(PSS_SOURCE_DIR) + "/tests/data/" + name; }

    std::string dir_;
};

}  // namespace

TEST_F(AnalyzeCli, HandDerivedPypssVector) {
    // fetch: durations [1,2,3,4] s -> TS = exp(-2*0.5164)/1.9 = 0.18737 (noise floor 0: pypss)
    //        tags hit x3, miss x1 -> BE = 0.18872; MS = EV = CC = 1
    //        PSS = 100*(0.3*0.18737 + 0.2 + 0.2 + 0.15*0.18872 + 0.15) = 63.45 -> 63
    // overall adds the system record: lag 0.1 s -> CC = 0.5 -> 63.45 - 7.5 = 55.95 -> 56
    write_file(path("pss.toml"), "[pss]\ntiming_noise_floor = 0\n");
    const auto r = pss({"analyze", "--trace-file", data("pypss_hand_vector.json"), "--json", path("out.json"),
                        "--config", path("pss.toml")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(read_file(path("out.json")));
    EXPECT_EQ(j["pss"], 56);
    EXPECT_NEAR(j["breakdown"]["timing_stability"].get<double>(), 0.1874, 1e-4);
    EXPECT_NEAR(j["breakdown"]["branching_entropy"].get<double>(), 0.1887, 1e-4);
    EXPECT_NEAR(j["breakdown"]["concurrency_chaos"].get<double>(), 0.5, 1e-4);
    EXPECT_EQ(j["modules"]["svc.api"]["pss"], 63);
    EXPECT_EQ(j["modules"]["svc.loop"]["pss"], 92);  // only the lag: 0.85 + 0.15*0.5 = 0.92499999 in doubles
    ASSERT_EQ(j["tests"].size(), 1u);
    EXPECT_EQ(j["tests"][0]["name"], "fetch");
    EXPECT_EQ(j["tests"][0]["records"], 4);
    EXPECT_EQ(j["source"]["format"], "pypss_object");
    EXPECT_NE(r.out.find("PSS: 56/100"), std::string::npos);
    EXPECT_NE(r.out.find("Timing Stability: 0.19"), std::string::npos);
}

TEST_F(AnalyzeCli, FailIfBelowGates) {
    const auto pass = pss({"analyze", "--trace-file", data("pypss_hand_vector.json"), "--fail-if-below", "50"});
    EXPECT_EQ(pass.exit_code, 0) << pass.err;
    const auto fail = pss({"analyze", "--trace-file", data("pypss_hand_vector.json"), "--fail-if-below", "60"});
    EXPECT_EQ(fail.exit_code, 1);
    // Default noise floor: the tail is clamped to the slowest run (4 s, not the
    // extrapolated 4.75 s), TS = exp(-2*1.2908/2.5)/1.59992 = 0.2226 -> PSS 57.
    EXPECT_NE(fail.out.find("PSS 57 is below the threshold 60"), std::string::npos) << fail.out;
}

TEST_F(AnalyzeCli, MalformedRecordsAreCountedAndGoodOnesScored) {
    write_file(path("t.ndjson"),
               "{\"name\":\"a\",\"duration\":0.001}\n"
               "not json at all\n"
               "{\"name\":\"a\",\"duration\":0.001}\n"
               "{\"name\":\"a\",\"dura");
    const auto r = pss({"analyze", "--trace-file", path("t.ndjson"), "--json", path("o.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("2 malformed records skipped (first at line 2: "), std::string::npos) << r.err;
    const auto j = nlohmann::json::parse(read_file(path("o.json")));
    EXPECT_EQ(j["records"], 2);
    EXPECT_EQ(j["source"]["malformed_records"], 2);
    EXPECT_EQ(j["pss"], 100);
}

TEST_F(AnalyzeCli, MissingFileExits3AndNamesIt) {
    const auto r = pss({"analyze", "--trace-file", path("nope.ndjson")});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("nope.ndjson"), std::string::npos);
    EXPECT_NE(r.err.find("No such file"), std::string::npos);
}

TEST_F(AnalyzeCli, FileWithoutRecordsExits3) {
    write_file(path("junk.txt"), "hello\nworld\n");
    const auto r = pss({"analyze", "--trace-file", path("junk.txt")});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("no trace records"), std::string::npos) << r.err;
}

TEST_F(AnalyzeCli, UsageErrorsExit2) {
    EXPECT_EQ(pss({"analyze"}).exit_code, 2);
    EXPECT_EQ(pss({}).exit_code, 2);
    const auto r = pss({"analyze", "--trace-file", "x", "--fail-if-below", "200"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--fail-if-below"), std::string::npos) << r.err;
    EXPECT_EQ(pss({"analyse"}).exit_code, 2);
}

TEST_F(AnalyzeCli, ConfigErrorExits2WithFileAndLine) {
    write_file(path("bad.toml"), "[pss]\nalpha = \"x\"\n");
    const auto r = pss({"analyze", "--trace-file", data("pypss_hand_vector.json"), "--config", path("bad.toml")});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("bad.toml:2: [pss] key 'alpha' must be a number"), std::string::npos) << r.err;
}

TEST_F(AnalyzeCli, ConfigFoundUpwardAndUnknownKeyWarned) {
    write_file(path("pss.toml"), "[pss]\nw_tss = 1\n");
    const auto r = pss({"analyze", "--trace-file", data("pypss_hand_vector.json")});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.err.find("unknown key 'w_tss'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("did you mean 'w_ts'"), std::string::npos) << r.err;
}

TEST_F(AnalyzeCli, TextOutputFileMatchesStdout) {
    const auto r = pss({"analyze", "--trace-file", data("pypss_hand_vector.json"), "--output", path("sub/r.txt")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(path("sub/r.txt")), r.out);
}

TEST_F(AnalyzeCli, HostileNamesStayValidJsonAndInertText) {
    write_file(path("h.ndjson"), R"({"name":"<script>alert(1)</script> & \"x\" \u001b[31m","duration":0.1})"
                                 "\n");
    const auto r = pss({"analyze", "--trace-file", path("h.ndjson"), "--json", path("h.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(read_file(path("h.json")));
    EXPECT_EQ(j["tests"][0]["name"], "<script>alert(1)</script> & \"x\" \x1b[31m");
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos);  // no terminal escape reaches the screen
}

TEST_F(AnalyzeCli, UnwritableOutputExits3) {
    const auto r = pss({"analyze", "--trace-file", data("pypss_hand_vector.json"), "--json", "/proc/nope/o.json"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("/proc/nope/o.json"), std::string::npos) << r.err;
}
