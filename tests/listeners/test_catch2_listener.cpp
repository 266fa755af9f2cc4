// End to end: the Catch2 fixture binary run with PSS_TRACE_FILE.
#include <csignal>
#include <filesystem>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "process.hpp"
#include "trace_helpers.hpp"

namespace {

using pss::test::only_test;
using pss::test::run_process;

const std::string fixture_exe = PSS_CATCH2_FIXTURE;
const std::string fixture_source = std::string(PSS_TESTS_DIR) + "/fixtures/catch2_fixture.cpp";
constexpr double MiB = 1 << 20;

struct FixtureRun {
    pss::test::ProcessResult result;
    pss::test::TraceContents trace;
    std::string progress;
};

FixtureRun run_fixture(const std::map<std::string, std::string>& env, std::vector<std::string> args = {}) {
    const std::string dir = pss::test::make_temp_dir("pss-catch2-listener");
    pss::test::ProcessOptions options;
    options.env = env;
    options.env["PSS_TRACE_FILE"] = dir + "/trace.ndjson";
    options.env["PSS_PROGRESS_FILE"] = dir + "/progress";
    args.insert(args.begin(), fixture_exe);
    FixtureRun run;
    run.result = run_process(args, options);
    run.trace = pss::test::read_records(dir + "/trace.ndjson");
    run.progress = pss::test::read_file(dir + "/progress");
    std::filesystem::remove_all(dir);
    return run;
}

class Catch2Listener : public testing::Test {
protected:
    static void SetUpTestSuite() { run_ = run_fixture({{"PSS_RUN", "5"}}); }
    static inline FixtureRun run_;
    static pss::TraceRecord test(const std::string& name) { return only_test(run_.trace.records, name); }
};

TEST_F(Catch2Listener, OneRecordPerTestCase) {
    EXPECT_EQ(run_.result.exit_code, 4) << run_.result.out;  // Catch2 exits with the number of failed assertions
    EXPECT_EQ(run_.trace.stats.malformed, 0u);
    std::map<std::string, int> count;
    for (const auto& r : run_.trace.records)
        if (r.kind == "test") ++count[r.name];
    EXPECT_EQ(count.size(), 10u);
    for (const auto& [name, n] : count) EXPECT_EQ(n, 1) << name;
    for (const auto& r : run_.trace.records) EXPECT_EQ(r.run, 5) << r.name;  // PSS_RUN
    EXPECT_EQ(run_.progress, "");
}

TEST_F(Catch2Listener, NamesModulesAndLocations) {
    const auto r = test("passes");
    EXPECT_EQ(r.module, "pss_catch2_fixture.catch2_fixture");
    EXPECT_EQ(r.filename, fixture_source);
    EXPECT_EQ(r.lineno, pss::test::marked_line(fixture_source, "passes-line"));
    EXPECT_FALSE(r.error);
}

TEST_F(Catch2Listener, AllocatingOneMiBShowsInMemory) {
    const auto r = test("allocates 1 MiB");
    EXPECT_GE(r.memory, MiB);
    EXPECT_LT(r.memory, 1.2 * MiB);
}

TEST_F(Catch2Listener, SleepingIsWaitTime) {
    const auto r = test("sleeps 20 ms");
    EXPECT_GE(r.duration, 0.020);
    EXPECT_GE(r.wait_time, 0.015);
}

TEST_F(Catch2Listener, AFailedCheckIsAnAssertionWithItsFirstMessage) {
    const auto r = test("fails assertion");
    EXPECT_TRUE(r.error);
    EXPECT_EQ(r.exception_type, "assertion");
    EXPECT_EQ(r.exception_message, "CHECK( answer == 42 ) with expansion: 41 == 42");
    EXPECT_EQ(r.failure_file, fixture_source);
    EXPECT_EQ(r.failure_line, pss::test::marked_line(fixture_source, "failure-line"));
}

TEST_F(Catch2Listener, UnexpectedExceptionsNameTheirType) {
    const auto r = test("throws runtime_error");
    EXPECT_TRUE(r.error);
    EXPECT_EQ(r.exception_type, "exception:std::runtime_error");
    EXPECT_EQ(r.exception_message, "boom");
    EXPECT_EQ(test("throws custom type").exception_type, "exception:fixture::ParseError");
}

TEST_F(Catch2Listener, SectionsMakeNoExtraRecordsAndShareTheBranchSignature) {
    const auto r = test("has sections");
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.branch_tag, "test-body;section-one;section-two");
}

TEST_F(Catch2Listener, MonitoredBlocks) {
    const auto blocks = pss::test::select(run_.trace.records, "block", "inner-loop");
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].calls, 100);
    EXPECT_EQ(blocks[0].parent, "monitors");
}

TEST(Catch2ListenerFaults, ACrashIsRecordedByCatch2sSignalHandlerAndEarlierRecordsStayIntact) {
    const FixtureRun run = run_fixture({{"FIXTURE_FAULT", "segv"}});
    EXPECT_EQ(run.result.signal, SIGSEGV);
    EXPECT_EQ(run.trace.stats.malformed, 0u);
    const auto crashed = only_test(run.trace.records, "crashes when asked");
    EXPECT_TRUE(crashed.error);
    EXPECT_EQ(crashed.exception_type, "crash:SIGSEGV");
    EXPECT_NE(crashed.exception_message.find("Segmentation violation"), std::string::npos);
    EXPECT_NO_THROW(only_test(run.trace.records, "passes"));
    EXPECT_NO_THROW(only_test(run.trace.records, "monitors"));
    EXPECT_TRUE(pss::test::select(run.trace.records, "test", "after the crash").empty());
    EXPECT_EQ(run.progress, "");  // the record was written: nothing for the runner to add
}

TEST(Catch2ListenerFaults, TerminationFromOutsideLeavesTheTestToTheRunner) {
    const FixtureRun run = run_fixture({{"FIXTURE_FAULT", "term"}});
    EXPECT_EQ(run.result.signal, SIGTERM);
    EXPECT_TRUE(pss::test::select(run.trace.records, "test", "crashes when asked").empty());
    EXPECT_NO_THROW(only_test(run.trace.records, "monitors"));
    EXPECT_EQ(run.progress, "0\tcrashes when asked\n");
}

}  // namespace
