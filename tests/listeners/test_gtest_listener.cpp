// End to end: the GoogleTest fixture binary run with PSS_TRACE_FILE.
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "process.hpp"
#include "trace_helpers.hpp"

namespace {

using pss::test::only_test;
using pss::test::run_process;

const std::string fixture_exe = PSS_GTEST_FIXTURE;
const std::string fixture_source = std::string(PSS_TESTS_DIR) + "/fixtures/gtest_fixture.cpp";
constexpr double MiB = 1 << 20;

// Runs the fixture once (3 iterations) for all tests of this file.
class GtestListener : public testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = pss::test::make_temp_dir("pss-gtest-listener");
        pss::test::ProcessOptions options;
        options.env["PSS_TRACE_FILE"] = dir_ + "/trace.ndjson";
        options.env["PSS_PROGRESS_FILE"] = dir_ + "/progress";
        options.unset_env = {"PSS_RUN"};
        result_ = run_process({fixture_exe, "--gtest_repeat=3"}, options);
        trace_ = pss::test::read_records(dir_ + "/trace.ndjson");
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    static pss::TraceRecord test_record(const std::string& name, std::int64_t run = 0) {
        for (const auto& r : trace_.records)
            if (r.kind == "test" && r.name == name && r.run == run) return r;
        throw std::runtime_error("no test record " + name + " for run " + std::to_string(run));
    }

    static inline std::string dir_;
    static inline pss::test::ProcessResult result_;
    static inline pss::test::TraceContents trace_;
};

TEST_F(GtestListener, TheFixtureRanAndFailedAsIntended) {
    EXPECT_EQ(result_.exit_code, 1) << result_.err;  // it has failing tests
    EXPECT_EQ(trace_.stats.malformed, 0u);
}

TEST_F(GtestListener, OneRecordPerTestPerIteration) {
    std::map<std::string, std::map<std::int64_t, int>> runs;  // name -> run -> count
    for (const auto& r : trace_.records)
        if (r.kind == "test") ++runs[r.name][r.run];
    EXPECT_EQ(runs.size(), 18u);  // every test of the fixture, including parameterized and typed ones
    for (const auto& [name, by_run] : runs) {
        EXPECT_EQ(by_run.size(), 3u) << name;
        for (const auto& [run, count] : by_run) {
            EXPECT_GE(run, 0) << name;
            EXPECT_LE(run, 2) << name;
            EXPECT_EQ(count, 1) << name << " run " << run;
        }
    }
}

TEST_F(GtestListener, NamesModulesAndLocations) {
    const auto r = test_record("Fixture.Passes");
    EXPECT_EQ(r.module, "pss_gtest_fixture.Fixture");
    EXPECT_EQ(r.filename, fixture_source);
    EXPECT_EQ(r.lineno, pss::test::marked_line(fixture_source, "passes-line"));
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.exception_type, "");
}

TEST_F(GtestListener, ParameterizedAndTypedNamesAsGoogleTestPrintsThem) {
    EXPECT_NO_THROW(test_record("Inst/ParamSuite.Works/0"));
    EXPECT_NO_THROW(test_record("Inst/ParamSuite.Works/1"));
    EXPECT_NO_THROW(test_record("TypedSuite/0.Works"));
    EXPECT_NO_THROW(test_record("TypedSuite/1.Works"));
    EXPECT_EQ(test_record("Inst/ParamSuite.Works/1").module, "pss_gtest_fixture.Inst/ParamSuite");
}

TEST_F(GtestListener, AllocatingOneMiBShowsInMemory) {
    for (int run = 0; run < 3; ++run) {
        const auto r = test_record("Fixture.Allocates1MiB", run);
        EXPECT_GE(r.memory, MiB) << run;
        EXPECT_LT(r.memory, 1.2 * MiB) << run;
        EXPECT_LT(std::abs(r.memory_diff), 4096) << run;
    }
}

TEST_F(GtestListener, ALeakShowsInMemoryDiff) {
    for (int run = 0; run < 3; ++run) EXPECT_GE(test_record("Fixture.Leaks512KiB", run).memory_diff, 512 * 1024);
}

TEST_F(GtestListener, MemoryHeldOnTwoThreadsAddsUp) {
    EXPECT_GE(test_record("Fixture.AllocatesOnTwoThreads").memory, 2 * MiB);
}

TEST_F(GtestListener, SleepingIsWaitTime) {
    const auto r = test_record("Fixture.Sleeps20ms");
    EXPECT_GE(r.duration, 0.020);
    EXPECT_GE(r.wait_time, 0.015);
    EXPECT_LT(r.cpu_time, 0.005);
    EXPECT_GE(r.voluntary_context_switches, 1);
}

TEST_F(GtestListener, AFailedAssertionIsAnErrorWithItsFirstMessageAndLocation) {
    const auto r = test_record("Fixture.FailsAssertion");
    EXPECT_TRUE(r.error);
    EXPECT_EQ(r.exception_type, "assertion");
    EXPECT_NE(r.exception_message.find("the answer"), std::string::npos) << r.exception_message;
    EXPECT_EQ(r.exception_message.find("second failure"), std::string::npos) << r.exception_message;
    EXPECT_EQ(r.failure_file, fixture_source);
    EXPECT_EQ(r.failure_line, pss::test::marked_line(fixture_source, "failure-line"));
}

TEST_F(GtestListener, EscapedExceptionsNameTheirType) {
    const auto runtime_error = test_record("Fixture.ThrowsRuntimeError");
    EXPECT_TRUE(runtime_error.error);
    EXPECT_EQ(runtime_error.exception_type, "exception:std::runtime_error");
    EXPECT_NE(runtime_error.exception_message.find("boom"), std::string::npos);
    EXPECT_EQ(test_record("Fixture.ThrowsCustomType").exception_type, "exception:fixture::ParseError");
    EXPECT_EQ(test_record("Fixture.ThrowsInt").exception_type, "exception:int");
}

TEST_F(GtestListener, SkippedIsRecordedButNotAnError) {
    const auto r = test_record("Fixture.Skips");
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.exception_type, "skipped");
    EXPECT_NE(r.exception_message.find("not on this machine"), std::string::npos) << r.exception_message;
}

TEST_F(GtestListener, BranchTagsInFirstHitOrder) {
    EXPECT_EQ(test_record("Fixture.Branches", 1).branch_tag, "second;first;runtime-1;from-thread");
    EXPECT_FALSE(test_record("Fixture.Passes").branch_tag.has_value());
}

TEST_F(GtestListener, MonitoredBlocksAreLinkedToTheirTest) {
    int inner_loops = 0;
    for (const auto& r : trace_.records) {
        if (r.kind != "block") continue;
        EXPECT_EQ(r.parent, "Fixture.Monitors") << r.name;
        EXPECT_EQ(r.module, "pss_gtest_fixture.Fixture");
        if (r.name == "inner-loop") {
            ++inner_loops;
            EXPECT_EQ(r.calls, 100);
            EXPECT_EQ(r.lineno, pss::test::marked_line(fixture_source, "monitor-line"));
        }
    }
    EXPECT_EQ(inner_loops, 3);  // one per iteration
    EXPECT_EQ(pss::test::select(trace_.records, "block", "compute").size(), 3u);
    const auto throws = pss::test::select(trace_.records, "block", "throws");
    ASSERT_EQ(throws.size(), 3u);
    EXPECT_TRUE(throws[0].error);
}

TEST_F(GtestListener, RunIndexFollowsTheRepeatIteration) {
    EXPECT_FALSE(test_record("Fixture.ReportsRunIndex", 0).error);
    EXPECT_TRUE(test_record("Fixture.ReportsRunIndex", 1).error);
    EXPECT_FALSE(test_record("Fixture.ReportsRunIndex", 2).error);
}

TEST_F(GtestListener, ADeathTestChildWritesNoRecord) {
    EXPECT_EQ(pss::test::select(trace_.records, "test", "FixtureDeathTest.ChildWritesNoRecord").size(), 3u);
    EXPECT_FALSE(test_record("FixtureDeathTest.ChildWritesNoRecord").error);
    EXPECT_TRUE(pss::test::select(trace_.records, "block", "in-death-child").empty());
}

TEST_F(GtestListener, TheProgressFileIsEmptyAfterTheLastTest) {
    EXPECT_EQ(pss::test::read_file(dir_ + "/progress"), "");
}

TEST(GtestListenerRunBase, PssRunOffsetsEveryIteration) {
    const std::string dir = pss::test::make_temp_dir("pss-gtest-run");
    pss::test::ProcessOptions options;
    options.env["PSS_TRACE_FILE"] = dir + "/trace.ndjson";
    options.env["PSS_RUN"] = "7";
    const auto result = run_process({fixture_exe, "--gtest_filter=Fixture.ReportsRunIndex", "--gtest_repeat=3"}, options);
    const auto trace = pss::test::read_records(dir + "/trace.ndjson");
    std::filesystem::remove_all(dir);
    ASSERT_EQ(trace.records.size(), 3u) << result.err;
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(trace.records[i].run, 7 + i);
        EXPECT_FALSE(trace.records[i].error);  // run_index() is 7..9, never 1
    }
    EXPECT_EQ(result.exit_code, 0);
}

TEST(GtestListenerRunBase, ABadPssRunIsOneWarningAndRunZero) {
    const std::string dir = pss::test::make_temp_dir("pss-gtest-badrun");
    pss::test::ProcessOptions options;
    options.env["PSS_TRACE_FILE"] = dir + "/trace.ndjson";
    options.env["PSS_RUN"] = "two";
    const auto result = run_process({fixture_exe, "--gtest_filter=Fixture.Passes"}, options);
    const auto trace = pss::test::read_records(dir + "/trace.ndjson");
    std::filesystem::remove_all(dir);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.err.find("pss: PSS_RUN='two' is not a non-negative integer"), std::string::npos) << result.err;
    ASSERT_EQ(trace.records.size(), 1u);
    EXPECT_EQ(trace.records[0].run, 0);
}

TEST(GtestListenerTraceFile, AnUnwritableTraceFileIsOneLineAndTestsStillRun) {
    const std::string dir = pss::test::make_temp_dir("pss-gtest-unwritable");
    pss::test::ProcessOptions options;
    options.env["PSS_TRACE_FILE"] = dir + "/no/such/dir/trace.ndjson";
    const auto result = run_process({fixture_exe, "--gtest_filter=Fixture.Passes:Fixture.FailsAssertion"}, options);
    std::filesystem::remove_all(dir);
    EXPECT_EQ(result.exit_code, 1);  // Fixture.FailsAssertion still ran and failed
    EXPECT_NE(result.out.find("[  PASSED  ] 1 test"), std::string::npos) << result.out;
    EXPECT_NE(result.err.find("pss: cannot open trace file"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST(GtestListenerTraceFile, AWriteErrorIsOneLineAndTestsStillRun) {
    pss::test::ProcessOptions options;
    options.env["PSS_TRACE_FILE"] = "/dev/full";  // opens, but every write fails (ENOSPC)
    const auto result = run_process({fixture_exe, "--gtest_filter=Fixture.Passes:Fixture.Allocates1MiB"}, options);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("[  PASSED  ] 2 tests"), std::string::npos) << result.out;
    EXPECT_NE(result.err.find("pss: cannot write to trace file '/dev/full'"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("no further trace records are written"), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST(GtestListenerTraceFile, RecordsAreAppended) {
    const std::string dir = pss::test::make_temp_dir("pss-gtest-append");
    pss::test::ProcessOptions options;
    options.env["PSS_TRACE_FILE"] = dir + "/trace.ndjson";
    for (int i = 0; i < 2; ++i) run_process({fixture_exe, "--gtest_filter=Fixture.Passes"}, options);
    const auto trace = pss::test::read_records(dir + "/trace.ndjson");
    std::filesystem::remove_all(dir);
    EXPECT_EQ(trace.records.size(), 2u);
}

}  // namespace
