// A test process killed with SIGKILL in the middle of its suite, with the
// files pss-run gives it (own trace and progress file, PSS_MAPPED_FILES=1):
// every finished test's record and the running test's name are there for the
// runner, read as the runner reads them (runner/src/attempt_files.hpp).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "attempt_files.hpp"
#include "process.hpp"
#include "trace_helpers.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

class KillTest : public testing::Test {
protected:
    void SetUp() override {
        dir_ = pss::test::make_temp_dir("pss-kill");
        trace_ = dir_ + "/attempt.ndjson";
        progress_ = dir_ + "/progress";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Starts the fixture with pss-run's environment; stdout to /dev/null.
    pid_t start(std::vector<std::string> args) {
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e) {
            const std::string entry(*e);
            if (entry.rfind("PSS_", 0) != 0) env.push_back(entry);
        }
        env.insert(env.end(), {"PSS_TRACE_FILE=" + trace_, "PSS_PROGRESS_FILE=" + progress_, "PSS_RUN=4",
                               "PSS_MAPPED_FILES=1"});
        args.insert(args.begin(), PSS_KILL_FIXTURE);
        std::vector<char*> argv, envp;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        pid_t pid = 0;
        const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        EXPECT_EQ(rc, 0);
        return pid;
    }

    static int kill_and_reap(pid_t pid) {
        ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0) {
        }
        return status;
    }

    std::string dir_, trace_, progress_;
};

TEST_F(KillTest, EveryFinishedTestsRecordAndTheRunningTestsNameSurviveSigkill) {
    const pid_t pid = start({"--before=1000", "--after=50"});
    std::string running;
    for (const auto until = Clock::now() + std::chrono::seconds(60); Clock::now() < until;) {
        running = pss::runner::read_progress(progress_);
        if (running == "4\tMid.Blocks") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(running, "4\tMid.Blocks");
    const int status = kill_and_reap(pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    // Written through the mappings.
    EXPECT_EQ(pss::test::read_file(trace_).substr(0, 8), "pssrec2\n");
    EXPECT_EQ(pss::test::read_file(progress_).substr(0, 8), "pssprog1");

    EXPECT_EQ(pss::runner::read_progress(progress_), "4\tMid.Blocks");
    const std::uintmax_t kept = pss::runner::trim_trace_file(trace_);
    EXPECT_EQ(std::filesystem::file_size(trace_), kept);
    const auto read = pss::test::read_records(trace_);
    EXPECT_EQ(read.stats.malformed, 0u);
    ASSERT_EQ(read.records.size(), 1000u);  // some written out, the last staged
    for (std::size_t i = 0; i < read.records.size(); ++i) {
        EXPECT_EQ(read.records[i].name, "Before.T" + std::to_string(i));
        EXPECT_EQ(read.records[i].run, 4);
    }
}

// Killed at any moment: the records are whole and in order, the progress
// names the test after the last record (or, killed between the record and
// clearing the progress, the last one), or none.
TEST_F(KillTest, KilledAtRandomMomentsNothingFinishedIsLostAndNoLineIsTorn) {
    std::mt19937 random(12345);
    for (int round = 0; round < 6; ++round) {
        std::filesystem::remove(trace_);
        std::filesystem::remove(progress_);
        const pid_t pid = start({"--before=100000", "--after=0"});
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 80));
        kill_and_reap(pid);
        if (!std::filesystem::exists(trace_)) continue;  // killed before the listener started
        const std::string running = pss::runner::read_progress(progress_);
        pss::runner::trim_trace_file(trace_);
        const auto read = pss::test::read_records(trace_);
        EXPECT_EQ(read.stats.malformed, 0u) << "round " << round;
        for (std::size_t i = 0; i < read.records.size(); ++i)
            ASSERT_EQ(read.records[i].name, "Before.T" + std::to_string(i)) << "round " << round;
        const std::size_t n = read.records.size();
        if (!running.empty()) {
            const std::string next = "4\tBefore.T" + std::to_string(n);
            const std::string last = n > 0 ? "4\tBefore.T" + std::to_string(n - 1) : next;
            EXPECT_TRUE(running == next || running == last) << running << " after " << n << " records";
        }
    }
}

}  // namespace
