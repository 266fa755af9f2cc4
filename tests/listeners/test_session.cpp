// The monitoring session, PSS_MONITOR and PSS_BRANCH, driven directly (no
// test framework listener in between).
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "process.hpp"
#include "pss/pss.hpp"
#include "pss/runtime/session.hpp"
#include "trace_helpers.hpp"

namespace {

using pss::runtime::Session;
using pss::runtime::Settings;
using pss::runtime::TestIdentity;
using pss::runtime::TestStatus;

TestIdentity identity(const std::string& name) {
    return TestIdentity{name, "unit.Session", "test_session.cpp", 42};
}

// Each test gets its own trace and progress file; the session is reset to
// "inactive" afterwards so other tests are unaffected.
class SessionTest : public testing::Test {
protected:
    void SetUp() override {
        dir_ = pss::test::make_temp_dir("pss-session");
        trace_ = dir_ + "/trace.ndjson";
        progress_ = dir_ + "/progress";
    }
    void TearDown() override {
        Session::instance().configure(Settings{});
        std::filesystem::remove_all(dir_);
    }
    void activate(std::int64_t run_base = 0) {
        Settings s;
        s.trace_file = trace_;
        s.progress_file = progress_;
        s.run_base = run_base;
        Session::instance().configure(s);
        Session::instance().set_iteration(0);
    }
    std::vector<pss::TraceRecord> records() const { return pss::test::read_records(trace_).records; }

    std::string dir_, trace_, progress_;
};

TEST_F(SessionTest, WritesOneTestRecordWithTheIdentity) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Passes"));
    s.end_test(TestStatus::passed);
    const auto recs = records();
    ASSERT_EQ(recs.size(), 1u);
    const pss::TraceRecord& r = recs[0];
    EXPECT_EQ(r.kind, "test");
    EXPECT_EQ(r.name, "Unit.Passes");
    EXPECT_EQ(r.module, "unit.Session");
    EXPECT_EQ(r.filename, "test_session.cpp");
    EXPECT_EQ(r.lineno, 42);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.exception_type, "");
    EXPECT_FALSE(r.branch_tag.has_value());
    EXPECT_GE(r.duration, 0.0);
    EXPECT_NEAR(r.wait_time, std::max(0.0, r.duration - r.cpu_time), 1e-9);
    EXPECT_GT(r.timestamp, 1.6e9);
}

TEST_F(SessionTest, RunIndexIsTheBasePlusTheIteration) {
    activate(10);
    Session& s = Session::instance();
    EXPECT_EQ(pss::run_index(), 10);
    s.set_iteration(2);
    EXPECT_EQ(pss::run_index(), 12);
    s.begin_test(identity("Unit.Run"));
    s.end_test(TestStatus::passed);
    EXPECT_EQ(records().at(0).run, 12);
}

TEST_F(SessionTest, KeepsTheFirstFailureOnly) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Fails"));
    s.note_failure("assertion", "first", "a.cpp", 7);
    std::thread([&] { s.note_failure("exception:std::logic_error", "second", "b.cpp", 9); }).join();
    s.end_test(TestStatus::failed);
    const auto r = records().at(0);
    EXPECT_TRUE(r.error);
    EXPECT_EQ(r.exception_type, "assertion");
    EXPECT_EQ(r.exception_message, "first");
    EXPECT_EQ(r.failure_file, "a.cpp");
    EXPECT_EQ(r.failure_line, 7);
}

TEST_F(SessionTest, AFailureOfAnEarlierTestDoesNotLeakIntoTheNext) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.First"));
    s.note_failure("assertion", "first", "a.cpp", 7);
    s.end_test(TestStatus::failed);
    s.begin_test(identity("Unit.Second"));
    s.end_test(TestStatus::passed);
    const auto r = pss::test::only_test(records(), "Unit.Second");
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.exception_message, "");
    EXPECT_EQ(r.failure_line, 0);
}

TEST_F(SessionTest, SkippedIsNotAnError) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Skips"));
    s.note_skip("no GPU");
    s.end_test(TestStatus::skipped);
    const auto r = records().at(0);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.exception_type, "skipped");
    EXPECT_EQ(r.exception_message, "no GPU");
}

TEST_F(SessionTest, LongMessagesAreBounded) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Long"));
    s.note_failure("assertion", std::string(100000, 'm'), "a.cpp", 1);
    s.end_test(TestStatus::failed);
    const auto r = records().at(0);
    EXPECT_LE(r.exception_message.size(), 4100u);
    EXPECT_GE(r.exception_message.size(), 4000u);
}

TEST_F(SessionTest, BranchTagsInFirstHitOrderEachOnce) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Branches"));
    for (int i = 0; i < 3; ++i) {
        PSS_BRANCH("b");
        PSS_BRANCH("a");
    }
    pss::branch("b");  // same text from another site: still once
    std::thread([] { PSS_BRANCH("c"); }).join();
    s.end_test(TestStatus::passed);

    s.begin_test(identity("Unit.Branches2"));  // a site reports again in a new test
    PSS_BRANCH("a");
    s.end_test(TestStatus::passed);

    s.begin_test(identity("Unit.NoBranches"));
    s.end_test(TestStatus::passed);

    const auto recs = records();
    EXPECT_EQ(pss::test::only_test(recs, "Unit.Branches").branch_tag, "b;a;c");
    EXPECT_EQ(pss::test::only_test(recs, "Unit.Branches2").branch_tag, "a");
    EXPECT_FALSE(pss::test::only_test(recs, "Unit.NoBranches").branch_tag.has_value());
}

TEST_F(SessionTest, BranchesOutsideATestAreIgnored) {
    activate();
    PSS_BRANCH("outside");
    Session& s = Session::instance();
    s.begin_test(identity("Unit.After"));
    s.end_test(TestStatus::passed);
    EXPECT_FALSE(records().at(0).branch_tag.has_value());
}

void monitored_helper() { PSS_MONITOR("helper"); }

TEST_F(SessionTest, MonitoredBlocksAreAggregatedPerTestRun) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Blocks"));
    for (int i = 0; i < 1000; ++i) monitored_helper();
    std::thread([] {
        for (int i = 0; i < 10; ++i) monitored_helper();
    }).join();
    EXPECT_EQ(pss::monitor_function("answer", [] { return 42; }), 42);
    EXPECT_THROW(pss::monitor_function("thrower", []() -> int { throw std::runtime_error("x"); }),
                 std::runtime_error);
    s.end_test(TestStatus::passed);

    const auto recs = records();
    ASSERT_EQ(pss::test::select(recs, "block", "helper").size(), 1u);
    const auto helper = pss::test::select(recs, "block", "helper")[0];
    EXPECT_EQ(helper.calls, 1010);
    EXPECT_EQ(helper.parent, "Unit.Blocks");
    EXPECT_EQ(helper.module, "unit.Session");
    EXPECT_FALSE(helper.error);
    EXPECT_TRUE(pss::test::ends_with(helper.filename, "test_session.cpp"));
    EXPECT_GT(helper.lineno, 0);
    EXPECT_GT(helper.duration, 0.0);

    const auto answer = pss::test::select(recs, "block", "answer");
    ASSERT_EQ(answer.size(), 1u);
    EXPECT_EQ(answer[0].calls, 1);
    const auto thrower = pss::test::select(recs, "block", "thrower");
    ASSERT_EQ(thrower.size(), 1u);
    EXPECT_TRUE(thrower[0].error);
    EXPECT_EQ(thrower[0].exception_type, "exception");

    // The test record comes first, its blocks follow.
    EXPECT_EQ(recs.front().kind, "test");
}

TEST_F(SessionTest, BlocksOfOneTestDoNotSpillIntoTheNext) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.One"));
    monitored_helper();
    s.end_test(TestStatus::passed);
    s.begin_test(identity("Unit.Two"));
    s.end_test(TestStatus::passed);
    const auto blocks = pss::test::select(records(), "block", "helper");
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].parent, "Unit.One");
}

TEST_F(SessionTest, BlocksOutsideTestsAreWrittenOnFlush) {
    activate();
    monitored_helper();
    monitored_helper();
    Session::instance().flush_blocks_outside_tests();
    const auto blocks = pss::test::select(records(), "block", "helper");
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].calls, 2);
    EXPECT_EQ(blocks[0].parent, "");
}

TEST_F(SessionTest, ProgressFileNamesTheRunningTestAndIsEmptiedAfter) {
    activate(3);
    Session& s = Session::instance();
    s.begin_test(identity("Unit.A very long test name that is longer than the next"));
    s.end_test(TestStatus::passed);
    EXPECT_EQ(pss::test::read_file(progress_), "");
    s.begin_test(identity("Unit.Short"));
    EXPECT_EQ(pss::test::read_file(progress_), "3\tUnit.Short\n");
    s.end_test(TestStatus::passed);
    EXPECT_EQ(pss::test::read_file(progress_), "");
}

TEST_F(SessionTest, AnAbandonedTestWritesNoRecordAndKeepsItsProgress) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Terminated"));
    s.abandon_test();
    s.end_test(TestStatus::failed);
    EXPECT_TRUE(records().empty());
    EXPECT_EQ(pss::test::read_file(progress_), "0\tUnit.Terminated\n");
}

TEST_F(SessionTest, HeapOfTheTestIsMeasured) {
    activate();
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Heap"));
    auto* leaked = new std::vector<char>(300000, 'x');
    s.end_test(TestStatus::passed);
    delete leaked;
    const auto r = records().at(0);
    EXPECT_GE(r.memory, 300000);
    EXPECT_GE(r.memory_diff, 300000);
}

TEST_F(SessionTest, InactiveSessionWritesNothingAndMonitorsAreOff) {
    Session::instance().configure(Settings{});  // neither trace nor progress file
    Session& s = Session::instance();
    EXPECT_FALSE(s.tracing());
    EXPECT_FALSE(s.active());
    EXPECT_FALSE(pss::tracing_active());
    s.begin_test(identity("Unit.Quiet"));
    PSS_BRANCH("quiet");
    monitored_helper();
    s.end_test(TestStatus::passed);
    s.flush_blocks_outside_tests();
    EXPECT_FALSE(std::filesystem::exists(trace_));
    EXPECT_FALSE(std::filesystem::exists(progress_));
}

TEST_F(SessionTest, UnwritableTraceFileIsOneClearLineAndNoTracing) {
    Settings bad;
    bad.trace_file = dir_ + "/missing-dir/trace.ndjson";
    testing::internal::CaptureStderr();
    Session::instance().configure(bad);
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_FALSE(Session::instance().tracing());
    EXPECT_NE(err.find("pss: cannot open trace file '" + bad.trace_file + "'"), std::string::npos) << err;
    EXPECT_NE(err.find("PSS_TRACE_FILE"), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST(SettingsFromEnvironment, ReadsTheThreeVariables) {
    setenv("PSS_TRACE_FILE", "/tmp/t.ndjson", 1);
    setenv("PSS_PROGRESS_FILE", "/tmp/p", 1);
    setenv("PSS_RUN", "17", 1);
    std::vector<std::string> warnings;
    const Settings s = pss::runtime::settings_from_environment(warnings);
    unsetenv("PSS_TRACE_FILE");
    unsetenv("PSS_PROGRESS_FILE");
    unsetenv("PSS_RUN");
    EXPECT_EQ(s.trace_file, "/tmp/t.ndjson");
    EXPECT_EQ(s.progress_file, "/tmp/p");
    EXPECT_EQ(s.run_base, 17);
    EXPECT_TRUE(warnings.empty());
}

TEST(SettingsFromEnvironment, ABadRunIndexIsAWarningAndZero) {
    for (const char* bad : {"abc", "-1", "3x", "99999999999999999999"}) {
        setenv("PSS_RUN", bad, 1);
        std::vector<std::string> warnings;
        const Settings s = pss::runtime::settings_from_environment(warnings);
        EXPECT_EQ(s.run_base, 0) << bad;
        ASSERT_EQ(warnings.size(), 1u) << bad;
        EXPECT_NE(warnings[0].find(std::string("PSS_RUN='") + bad + "'"), std::string::npos);
    }
    unsetenv("PSS_RUN");
}

TEST(CurrentExceptionTypeName, DemanglesTheExceptionBeingHandled) {
    EXPECT_EQ(pss::runtime::current_exception_type_name(), "");
    try {
        throw std::out_of_range("x");
    } catch (...) {
        EXPECT_EQ(pss::runtime::current_exception_type_name(), "std::out_of_range");
    }
}

}  // namespace
