// End to end on the example suites: repeats, run indices, crashes, hangs, the
// progress file, and that without PSS_TRACE_FILE a pss build behaves like the
// plain build.
#include <csignal>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "process.hpp"
#include "trace_helpers.hpp"

namespace {

using pss::test::run_process;

const std::string gtest_examples = PSS_GTEST_EXAMPLES;
const std::string gtest_examples_plain = PSS_GTEST_EXAMPLES_PLAIN;
const std::string catch2_examples = PSS_CATCH2_EXAMPLES;
const std::string catch2_examples_plain = PSS_CATCH2_EXAMPLES_PLAIN;

struct ExampleRun {
    pss::test::ProcessResult result;
    pss::test::TraceContents trace;
    std::string progress;
};

class Examples : public testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-examples"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ExampleRun run(const std::vector<std::string>& argv, std::map<std::string, std::string> env = {},
            double timeout = 60) {
        pss::test::ProcessOptions options;
        options.env = std::move(env);
        options.env["PSS_TRACE_FILE"] = dir_ + "/trace.ndjson";
        options.env["PSS_PROGRESS_FILE"] = dir_ + "/progress";
        if (!options.env.count("PSS_RUN")) options.unset_env.push_back("PSS_RUN");
        if (!options.env.count("PSS_EXAMPLE_FAULTS")) options.unset_env.push_back("PSS_EXAMPLE_FAULTS");
        options.timeout_seconds = timeout;
        ExampleRun r;
        r.result = run_process(argv, options);
        r.trace = pss::test::read_records(dir_ + "/trace.ndjson");
        r.progress = pss::test::read_file(dir_ + "/progress");
        return r;
    }

    static std::map<std::string, std::vector<pss::TraceRecord>> tests_by_name(const ExampleRun& r) {
        std::map<std::string, std::vector<pss::TraceRecord>> out;
        for (const auto& rec : r.trace.records)
            if (rec.kind == "test") out[rec.name].push_back(rec);
        return out;
    }

    std::string dir_;
};

TEST_F(Examples, GtestRepeatGivesOneRecordPerTestPerRunWithTheRunIndex) {
    const ExampleRun r = run({gtest_examples, "--gtest_repeat=3"}, {{"PSS_RUN", "9"}});
    EXPECT_EQ(r.result.exit_code, 1);  // the flaky test fails on run 10
    EXPECT_EQ(r.trace.stats.malformed, 0u);
    const auto tests = tests_by_name(r);
    EXPECT_EQ(tests.size(), 11u);
    for (const auto& [name, records] : tests) {
        ASSERT_EQ(records.size(), 3u) << name;
        for (int i = 0; i < 3; ++i) EXPECT_EQ(records[i].run, 9 + i) << name;
    }
    const auto& flaky = tests.at("Flaky.FailsEveryThirdRun");
    EXPECT_FALSE(flaky[0].error);  // run 9
    EXPECT_TRUE(flaky[1].error);   // run 10: 10 % 3 == 1
    EXPECT_EQ(flaky[1].exception_type, "assertion");
    EXPECT_FALSE(flaky[2].error);
    for (const auto& leak : tests.at("Leak.GrowsAStaticCache")) EXPECT_GE(leak.memory_diff, 2000 * 64);
    const auto& branching = tests.at("Branching.PathDependsOnRun");
    EXPECT_EQ(branching[0].branch_tag, "cache-miss;refill");  // run 9
    EXPECT_EQ(branching[1].branch_tag, "cache-hit");           // run 10
    EXPECT_EQ(branching[2].branch_tag, "cache-miss");          // run 11
    EXPECT_EQ(pss::test::select(r.trace.records, "block", "lookup").size(), 3u);
    EXPECT_EQ(r.progress, "");
}

TEST_F(Examples, GtestLatencyTailEveryFifthRun) {
    const ExampleRun r = run({gtest_examples, "--gtest_filter=Latency.*", "--gtest_repeat=5"});
    const auto records = tests_by_name(r).at("Latency.SlowEveryFifthRun");
    ASSERT_EQ(records.size(), 5u);
    // Run 4 spins for 7 ms of wall time, the others for 2 ms: only the
    // lower bounds are certain on a loaded machine, and that run 4 is the
    // slowest unless every other run was preempted for longer.
    double fastest = records[0].duration;
    for (int i = 0; i < 4; ++i) {
        EXPECT_GE(records[i].duration, 0.002) << i;
        fastest = std::min(fastest, records[i].duration);
    }
    EXPECT_GE(records[4].duration, 0.007);
    EXPECT_LT(fastest, records[4].duration);
}

TEST_F(Examples, GtestCrashMidSuiteKeepsEveryEarlierRecordIntact) {
    const ExampleRun r = run({gtest_examples}, {{"PSS_EXAMPLE_FAULTS", "1"}});
    EXPECT_EQ(r.result.signal, SIGSEGV);
    EXPECT_EQ(r.trace.stats.malformed, 0u);
    const auto tests = tests_by_name(r);
    for (const char* before : {"Stable.AddsNumbers", "Stable.SortsAVector", "Stable.JoinsStrings",
                               "Stable.WaitsOnATimer", "Flaky.FailsEveryThirdRun", "Latency.SlowEveryFifthRun",
                               "Leak.GrowsAStaticCache", "Branching.PathDependsOnRun"})
        EXPECT_EQ(tests.count(before), 1u) << before;
    EXPECT_EQ(tests.count("Faults.Crashes"), 0u);
    EXPECT_EQ(tests.count("AfterFaults.StillRuns"), 0u);
    // The runner learns which test crashed from the progress file.
    EXPECT_EQ(r.progress, "0\tFaults.Crashes\n");
}

TEST_F(Examples, GtestHangLeavesTheHangingTestInTheProgressFile) {
    const ExampleRun r = run({gtest_examples, "--gtest_filter=Stable.AddsNumbers:Faults.Hangs"},
                      {{"PSS_EXAMPLE_FAULTS", "1"}, {"PSS_RUN", "4"}}, 3.0);
    EXPECT_EQ(r.result.signal, SIGKILL);  // killed by the timeout
    EXPECT_EQ(tests_by_name(r).count("Stable.AddsNumbers"), 1u);
    EXPECT_EQ(r.progress, "4\tFaults.Hangs\n");
}

TEST_F(Examples, Catch2RecordsAndCrash) {
    const ExampleRun clean = run({catch2_examples}, {{"PSS_RUN", "1"}});
    EXPECT_EQ(clean.result.exit_code, 1);  // flaky fails on run 1
    const auto tests = tests_by_name(clean);
    EXPECT_EQ(tests.size(), 11u);
    EXPECT_TRUE(tests.at("flaky: fails every third run").at(0).error);
    EXPECT_EQ(tests.at("branching: path depends on run").at(0).branch_tag, "cache-miss");
    EXPECT_EQ(tests.at("stable: adds numbers").at(0).module, "catch2_examples.example_tests");

    std::filesystem::remove(dir_ + "/trace.ndjson");
    const ExampleRun crashed = run({catch2_examples}, {{"PSS_EXAMPLE_FAULTS", "1"}});
    EXPECT_EQ(crashed.result.signal, SIGSEGV);
    EXPECT_EQ(crashed.trace.stats.malformed, 0u);
    const auto crashed_tests = tests_by_name(crashed);
    EXPECT_EQ(crashed_tests.at("faults: crashes").at(0).exception_type, "crash:SIGSEGV");
    EXPECT_EQ(crashed_tests.count("stable: adds numbers"), 1u);
    EXPECT_EQ(crashed_tests.count("after faults: still runs"), 0u);
}

// GoogleTest's timings and the path in "Running main() from ..." differ
// between builds and runs; everything else must be identical.
std::string normalized(std::string text) {
    text = std::regex_replace(text, std::regex(R"(\(\d+ ms( total)?\))"), "(N ms$1)");
    text = std::regex_replace(text, std::regex(R"(Running main\(\) from [^\n]*)"), "Running main() from X");
    return text;
}

pss::test::ProcessResult run_without_pss_env(const std::vector<std::string>& argv, const std::string& cwd) {
    pss::test::ProcessOptions options;
    options.unset_env = {"PSS_TRACE_FILE", "PSS_PROGRESS_FILE", "PSS_RUN", "PSS_EXAMPLE_FAULTS"};
    options.cwd = cwd;
    return run_process(argv, options);
}

TEST_F(Examples, WithoutTheEnvironmentAPssBuildBehavesLikeThePlainBuild) {
    const std::vector<std::pair<std::string, std::string>> pairs = {
        {gtest_examples, gtest_examples_plain}, {catch2_examples, catch2_examples_plain}};
    for (const auto& [with_pss, plain] : pairs) {
        for (const std::string& repeat : {std::string("--gtest_repeat=3"), std::string()}) {
            if (!repeat.empty() && with_pss == catch2_examples) continue;
            std::vector<std::string> a{with_pss}, b{plain};
            if (!repeat.empty()) a.push_back(repeat), b.push_back(repeat);
            const auto pss_run = run_without_pss_env(a, dir_);
            const auto plain_run = run_without_pss_env(b, dir_);
            EXPECT_EQ(pss_run.exit_code, plain_run.exit_code) << with_pss << " " << repeat;
            EXPECT_EQ(normalized(pss_run.out), normalized(plain_run.out)) << with_pss << " " << repeat;
            EXPECT_EQ(pss_run.err, plain_run.err) << with_pss;
        }
    }
    // No file appeared anywhere we can see: not in the working directory.
    EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(Examples, PlainAndPssBuildsFailTheSameRuns) {
    // Separate processes with PSS_RUN, as a runner would start them.
    for (int run_index = 0; run_index < 4; ++run_index) {
        pss::test::ProcessOptions options;
        options.env["PSS_RUN"] = std::to_string(run_index);
        options.unset_env = {"PSS_TRACE_FILE", "PSS_PROGRESS_FILE", "PSS_EXAMPLE_FAULTS"};
        const auto a = run_process({gtest_examples, "--gtest_filter=Flaky.*"}, options);
        const auto b = run_process({gtest_examples_plain, "--gtest_filter=Flaky.*"}, options);
        EXPECT_EQ(a.exit_code, run_index % 3 == 1 ? 1 : 0) << run_index;
        EXPECT_EQ(a.exit_code, b.exit_code) << run_index;
    }
}

}  // namespace
