// The monitoring session, PSS_MONITOR and PSS_BRANCH, driven directly (no
// test framework listener in between).
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "attempt_files.hpp"
#include "process.hpp"
#include "pss/pss.hpp"
#include "pss/record/packed_record.hpp"
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
    // As pss-run configures its test processes.
    void activate_mapped(std::int64_t run_base = 0, bool perf_event = true) {
        Settings s;
        s.trace_file = trace_;
        s.progress_file = progress_;
        s.run_base = run_base;
        s.mapped_files = true;
        s.perf_event = perf_event;
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

// The session reuses one record's buffers from test to test (no allocation
// per test): nothing of a failed, tagged, skipped or long-named test may
// reach the next one's record.
TEST_F(SessionTest, ARecordReusedForTheNextTestKeepsNothingOfThePrevious) {
    activate();
    Session& s = Session::instance();
    pss::runtime::TestIdentityView long_one;
    const std::string long_suite(300, 'S');
    long_one.name_prefix = long_suite;
    long_one.name = "Fails";
    long_one.module_prefix = "unit";
    long_one.module = long_suite;
    long_one.filename = "/a/very/long/path/to/the/first/file.cpp";
    long_one.lineno = 7;
    s.begin_test(long_one);
    pss::branch("left");
    s.note_failure("assertion", "first failed", "a.cpp", 7);
    s.end_test(TestStatus::failed);
    s.begin_test(identity("Unit.Skips"));
    s.note_skip("not today");
    s.end_test(TestStatus::skipped);
    pss::runtime::TestIdentityView short_one;
    short_one.name = "B";
    short_one.module = "m";
    s.begin_test(short_one);
    s.end_test(TestStatus::passed);

    const auto recs = records();
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].name, long_suite + ".Fails");
    EXPECT_EQ(recs[0].module, "unit." + long_suite);
    EXPECT_TRUE(recs[0].error);
    EXPECT_EQ(recs[0].branch_tag, std::optional<std::string>("left"));
    EXPECT_EQ(recs[1].exception_type, "skipped");
    EXPECT_EQ(recs[1].exception_message, "not today");
    EXPECT_FALSE(recs[1].error);
    EXPECT_FALSE(recs[1].branch_tag.has_value());
    const pss::TraceRecord& r = recs[2];
    EXPECT_EQ(r.name, "B");
    EXPECT_EQ(r.module, "m");
    EXPECT_EQ(r.filename, "");
    EXPECT_EQ(r.lineno, 0);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.exception_type, "");
    EXPECT_EQ(r.exception_message, "");
    EXPECT_EQ(r.failure_file, "");
    EXPECT_EQ(r.failure_line, 0);
    EXPECT_FALSE(r.branch_tag.has_value());
    EXPECT_TRUE(r.metrics.empty());
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

TEST_F(SessionTest, MappedProgressNamesTheRunningTestForTheRunner) {
    activate_mapped(3);
    Session& s = Session::instance();
    EXPECT_EQ(pss::runner::read_progress(progress_), "");
    EXPECT_EQ(pss::test::read_file(progress_).substr(0, 8), "pssprog1");
    s.begin_test(identity("Unit.A very long test name\twith a tab and\na newline"));
    EXPECT_EQ(pss::runner::read_progress(progress_), "3\tUnit.A very long test name with a tab and a newline");
    s.end_test(TestStatus::passed);
    EXPECT_EQ(pss::runner::read_progress(progress_), "");
    s.begin_test(identity("Unit.Short"));
    EXPECT_EQ(pss::runner::read_progress(progress_), "3\tUnit.Short");
    s.abandon_test();  // as when the process is killed: the name stays
    EXPECT_EQ(pss::runner::read_progress(progress_), "3\tUnit.Short");
}

TEST_F(SessionTest, TheRunnerReadsTextProgressUpToTheLineEnd) {
    activate(2);
    Session::instance().begin_test(identity("Unit.Text"));
    EXPECT_EQ(pss::runner::read_progress(progress_), "2\tUnit.Text");
    Session::instance().end_test(TestStatus::passed);
    EXPECT_EQ(pss::runner::read_progress(progress_), "");
    pss::test::write_file(progress_, std::string("5\tUnit.Cut\0\0\0", 13));
    EXPECT_EQ(pss::runner::read_progress(progress_), "5\tUnit.Cut");
    EXPECT_EQ(pss::runner::read_progress(dir_ + "/missing"), "");
}

// The runner reads while the test process writes: it never sees half a name.
TEST_F(SessionTest, MappedProgressIsNeverReadTorn) {
    Settings progress_only;  // no records: begin/end do the progress alone
    progress_only.progress_file = dir_ + "/progress2";
    progress_only.mapped_files = true;
    Session::instance().configure(progress_only);
    const std::string a = "0\t" + std::string(3000, 'A'), b = "0\t" + std::string(20, 'B');
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        Session& s = Session::instance();
        for (std::uint64_t i = 0; !stop.load(); ++i) {
            s.begin_test(identity(i % 2 ? std::string(3000, 'A') : std::string(20, 'B')));
            s.end_test(TestStatus::passed);
        }
    });
    std::size_t named = 0, torn = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(700);
    while (std::chrono::steady_clock::now() < until) {
        const std::string text = pss::runner::read_progress(progress_only.progress_file);
        if (text.empty()) continue;
        if (text == a || text == b) ++named;
        else if (text != "\t(changing)") ++torn;
    }
    stop = true;
    writer.join();
    EXPECT_EQ(torn, 0u);
    EXPECT_GT(named, 0u);
}

TEST_F(SessionTest, MappedFilesOfAnotherProcessAreLeftAlone) {
    pss::test::write_file(trace_, "{\"name\":\"theirs\"}\n");
    pss::test::write_file(progress_, "7\tTheirs.Running\n");
    testing::internal::CaptureStderr();
    activate_mapped();
    Session& s = Session::instance();
    EXPECT_FALSE(s.active());
    s.begin_test(identity("Unit.Mine"));
    s.end_test(TestStatus::passed);
    s.finish_collection();
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    EXPECT_EQ(pss::test::read_file(trace_), "{\"name\":\"theirs\"}\n");
    EXPECT_EQ(pss::test::read_file(progress_), "7\tTheirs.Running\n");
}

pss::StagedHeader staged_header(const std::string& bytes) {
    pss::StagedHeader header;
    EXPECT_TRUE(pss::read_staged_header(bytes, header)) << bytes.substr(0, 8);
    return header;
}

// pss-run's file: records staged in the mapped start of the file, written
// out after it in batches, read in the order they were written.
TEST_F(SessionTest, AMappedTraceFileHoldsEveryRecordStagedOrWrittenOutInOrder) {
    activate_mapped();
    Session& s = Session::instance();
    std::vector<std::string> names;
    auto run = [&](const std::string& name) {
        s.begin_test(identity(name));
        s.end_test(TestStatus::passed);
        names.push_back(name);
    };
    // As pss read the file, and as pss-run counts its records while the
    // process runs (each final one read once).
    pss::runner::RecordTally tally;
    auto expect_all_read = [&] {
        const auto recs = records();
        ASSERT_EQ(recs.size(), names.size());
        for (std::size_t i = 0; i < recs.size(); ++i) ASSERT_EQ(recs[i].name, names[i]) << i;
        const pss::runner::RecordCount count = pss::runner::count_test_records(trace_, tally);
        EXPECT_EQ(count.tests, names.size());
        EXPECT_EQ(count.failed, 1u);
    };
    s.begin_test(identity("Unit.Fails"));
    s.end_test(TestStatus::failed);
    names.push_back("Unit.Fails");
    for (int i = 0; i < 3; ++i) run("Unit.T" + std::to_string(i));
    std::string bytes = pss::test::read_file(trace_);
    EXPECT_EQ(bytes.substr(0, 8), pss::staged_magic);
    EXPECT_EQ(staged_header(bytes).spilled, 0u);  // all three staged
    EXPECT_EQ(bytes.size(), pss::staged_header_bytes + 65536);
    expect_all_read();

    // Enough for several batches, and one record larger than the staging area.
    for (int i = 3; i < 1500; ++i) run("Unit.T" + std::to_string(i));
    run("Unit." + std::string(100000, 'L'));
    for (int i = 0; i < 10; ++i) run("Unit.After" + std::to_string(i));
    bytes = pss::test::read_file(trace_);
    pss::StagedHeader header = staged_header(bytes);
    EXPECT_GT(header.spilled, 200000u);
    EXPECT_TRUE(header.staging_current());
    EXPECT_EQ(bytes.size(), header.spill_offset() + header.spilled);
    expect_all_read();
    EXPECT_EQ(pss::runner::trim_trace_file(trace_), bytes.size());  // nothing to cut

    // At the end the staging area is written out too.
    s.finish_collection();
    bytes = pss::test::read_file(trace_);
    header = staged_header(bytes);
    EXPECT_EQ(bytes.size(), header.spill_offset() + header.spilled);
    EXPECT_EQ(bytes.substr(pss::staged_header_bytes, 4), std::string(4, '\0'));
    expect_all_read();
    run("Unit.AfterTheEnd");  // a test in a static destructor: staged as before
    expect_all_read();
}

// A disk that fills up while tests run (here: a file size limit): one
// warning, tracing stops, the process goes on, and every record before the
// batch that could not be written is read back, in order, from where it was
// written out or from the staging area.
TEST_F(SessionTest, AMappedTraceFileOnAFullDiskKeepsEveryRecordBeforeIt) {
    rlimit old{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG from write, not a signal
    rlimit limited = old;
    limited.rlim_cur = 200 * 1024;  // the staging area and a few batches
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
    testing::internal::CaptureStderr();
    activate_mapped();
    Session& s = Session::instance();
    for (int i = 0; i < 3000; ++i) {
        s.begin_test(identity("Unit.T" + std::to_string(i)));
        s.end_test(TestStatus::passed);
    }
    s.finish_collection();
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
    std::signal(SIGXFSZ, old_handler);
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("cannot write to trace file '" + trace_ + "'"), std::string::npos) << err;
    EXPECT_NE(err.find("no further trace records are written to it"), std::string::npos) << err;
    const auto read = pss::test::read_records(trace_);
    EXPECT_EQ(read.stats.malformed, 0u);
    EXPECT_EQ(read.stats.input_problem, "");
    EXPECT_GT(read.records.size(), 500u);
    EXPECT_LT(read.records.size(), 3000u);
    for (std::size_t i = 0; i < read.records.size(); ++i) ASSERT_EQ(read.records[i].name, "Unit.T" + std::to_string(i));
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// CPU time, wait time and context switches of a busy and a sleeping test,
// through the perf event page and through the system calls alone.
void expect_busy_and_sleeping_tests_measured(const std::vector<pss::TraceRecord>& recs) {
    ASSERT_EQ(recs.size(), 2u);
    const auto& busy = recs[0];
    EXPECT_GE(busy.cpu_time, 0.025) << busy.duration;  // 30 ms of CPU, some of it maybe in other tests' slices
    EXPECT_LE(busy.cpu_time, busy.duration + 0.002);
    const auto& sleeping = recs[1];
    EXPECT_LT(sleeping.cpu_time, 0.01);
    EXPECT_GE(sleeping.wait_time, 0.025);
    EXPECT_GE(sleeping.voluntary_context_switches, 1);
}

void busy_and_sleeping_tests() {
    Session& s = Session::instance();
    s.begin_test(identity("Unit.Busy"));
    const double until = thread_cpu_seconds() + 0.03;
    volatile std::uint64_t spin = 0;
    while (thread_cpu_seconds() < until) spin = spin + 1;
    s.end_test(TestStatus::passed);
    s.begin_test(identity("Unit.Sleeps"));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    s.end_test(TestStatus::passed);
}

TEST_F(SessionTest, WithoutThePerfEventEveryReadingIsASystemCallAndMeasuresTheSame) {
    activate_mapped(0, false);  // PSS_NO_PERF_EVENT=1, or a kernel that refuses perf_event_open
    Session& s = Session::instance();
    EXPECT_STREQ(s.usage_source(), "getrusage");
    const std::uint64_t before = s.usage_system_call_readings();
    busy_and_sleeping_tests();
    EXPECT_EQ(s.usage_system_call_readings() - before, 4u);
    expect_busy_and_sleeping_tests_measured(records());
}

TEST_F(SessionTest, ThroughThePerfEventPageTheSameIsMeasured) {
    activate_mapped();
    if (std::string(Session::instance().usage_source()) != "perf_event")
        GTEST_SKIP() << "perf_event_open is refused here, or this process has threads";
    busy_and_sleeping_tests();
    expect_busy_and_sleeping_tests_measured(records());
}

TEST_F(SessionTest, TestsThatStayOnTheCpuAreMeasuredWithoutSystemCalls) {
    activate_mapped();
    Session& s = Session::instance();
    if (std::string(s.usage_source()) != "perf_event")
        GTEST_SKIP() << "perf_event_open is refused here, or this process has threads";
    const std::uint64_t before = s.usage_system_call_readings();
    for (int i = 0; i < 1000; ++i) {
        s.begin_test(identity("Unit.Trivial"));
        s.end_test(TestStatus::passed);
    }
    // 2000 readings; only those after the thread left the CPU (preempted on
    // a loaded machine) make system calls.
    EXPECT_LT(s.usage_system_call_readings() - before, 400u);
    for (const auto& r : records()) {
        EXPECT_LE(r.cpu_time, r.duration + 2e-6);
        EXPECT_GE(r.cpu_time, 0.0);
    }
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

TEST(SettingsFromEnvironment, MappedFilesAndNoPerfEventAreOptIns) {
    std::vector<std::string> warnings;
    unsetenv("PSS_MAPPED_FILES");
    unsetenv("PSS_NO_PERF_EVENT");
    Settings s = pss::runtime::settings_from_environment(warnings);
    EXPECT_FALSE(s.mapped_files);
    EXPECT_TRUE(s.perf_event);
    setenv("PSS_MAPPED_FILES", "1", 1);
    setenv("PSS_NO_PERF_EVENT", "1", 1);
    s = pss::runtime::settings_from_environment(warnings);
    unsetenv("PSS_MAPPED_FILES");
    unsetenv("PSS_NO_PERF_EVENT");
    EXPECT_TRUE(s.mapped_files);
    EXPECT_FALSE(s.perf_event);
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
