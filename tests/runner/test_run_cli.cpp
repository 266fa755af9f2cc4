// pss-run as a user runs it on binaries without any pss code: verdicts,
// fault kinds, exit codes, output files.
#include <gtest/gtest.h>

#include <signal.h>

#include <sstream>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "pss/ingest/trace_reader.hpp"

using pss::test::ProcessResult;
using pss::test::read_file;
using pss::test::run_process;
using pss::test::write_file;
using json = nlohmann::json;

namespace {

class RunCli : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-run"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ProcessResult pss_run(std::vector<std::string> args, const std::string& faults = "") {
        args.insert(args.begin(), PSS_RUN_EXE);
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE", "NO_COLOR"};
        if (!faults.empty()) o.env["FIXTURE_FAULTS"] = faults;
        o.timeout_seconds = 240;
        return run_process(args, o);
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    json results(const std::string& file) { return json::parse(read_file(path(file))); }

    static const json& test(const json& results, const std::string& name) {
        for (const auto& t : results["tests"])
            if (t["name"] == name) return t;
        throw std::runtime_error("no test " + name);
    }

    std::string dir_;
};

}  // namespace

TEST_F(RunCli, HealthyTestsPassTheGate) {
    const auto r = pss_run({"--repeat", "3", "--filter", "Stable.*", "--json", path("r.json"), "--", FIXTURE_GTEST});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = results("r.json");
    EXPECT_EQ(j["schema_version"], 3);
    EXPECT_EQ(j["gate"]["passed"], true);
    ASSERT_EQ(j["tests"].size(), 3u);
    for (const auto& t : j["tests"]) {
        EXPECT_EQ(t["verdict"], "stable") << t["name"];
        EXPECT_EQ(t["runs"], 3);
        EXPECT_EQ(t["run_data"].size(), 3u);
    }
    EXPECT_EQ(j["run"]["modes"][0], "native");
    EXPECT_NE(r.out.find("gate passed"), std::string::npos);
    EXPECT_NE(r.out.find("3 tests: 3 stable"), std::string::npos) << r.out;
}

TEST_F(RunCli, EveryGtestFaultIsFoundWithItsKindAndOtherTestsKeepTheirRuns) {
    const auto r = pss_run({"--repeat", "4", "--timeout", "2", "--json", path("r.json"), "--traces", path("t.ndjson"),
                            "--", FIXTURE_GTEST},
                           "crash,hang,exit,fail,throw");
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto j = results("r.json");
    auto kind_of = [&](const std::string& name) { return test(j, name)["failure_samples"][0]["type"]; };
    EXPECT_EQ(test(j, "Faults.Crash")["verdict"], "flaky");
    EXPECT_EQ(kind_of("Faults.Crash"), "crash:SIGSEGV");
    EXPECT_EQ(test(j, "Faults.Crash")["failure_samples"][0]["run"], 2);  // the second run (run index 1), counted from 1
    EXPECT_EQ(kind_of("Faults.Hang"), "timeout");
    EXPECT_EQ(kind_of("Faults.ExitMidSuite"), "exit:0");
    EXPECT_EQ(test(j, "Faults.AlwaysFails")["verdict"], "failing");
    EXPECT_EQ(kind_of("Faults.AlwaysFails"), "assertion");
    EXPECT_NE(test(j, "Faults.AlwaysFails")["failure_samples"][0]["message"].get<std::string>().find(
                  "always fails <&> \"quoted\""),
              std::string::npos);
    EXPECT_EQ(kind_of("Faults.Throws"), "exception");
    EXPECT_EQ(test(j, "Flaky.FailsEveryThirdRun")["verdict"], "flaky");
    EXPECT_EQ(test(j, "Flaky.FailsEveryThirdRun")["failures"], 1);  // run 1 of 0..3
    // Tests after each fault still got all their runs.
    EXPECT_EQ(test(j, "Stable.AfterTheFaults")["runs"], 4);
    EXPECT_EQ(test(j, "Stable.AfterTheFaults")["verdict"], "stable");
    // A crash's output is kept for the report.
    EXPECT_FALSE(test(j, "Faults.Hang")["failure_samples"][0]["output"].get<std::string>().empty());
    // --traces has one record per test per run.
    std::size_t records = 0;
    pss::read_trace_file(path("t.ndjson"), [&](const pss::TraceRecord&) { ++records; });
    EXPECT_EQ(records, 13u * 4u);
    // (Stable.Sleeps1ms may add "1 unstable" on a loaded machine: a real latency tail.)
    EXPECT_NE(r.out.find("gate failed: 2 failing, 4 flaky"), std::string::npos) << r.out;
}

TEST_F(RunCli, Catch2FaultsAndHostileNames) {
    const auto r = pss_run({"--repeat", "4", "--timeout", "2", "--json", path("r.json"), "--", FIXTURE_CATCH2},
                           "crash,hang,fail");
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto j = results("r.json");
    EXPECT_EQ(test(j, "crashes in run 1")["failure_samples"][0]["type"], "crash:SIGSEGV");
    EXPECT_EQ(test(j, "hangs in run 2")["failure_samples"][0]["type"], "timeout");
    EXPECT_EQ(test(j, "always fails")["verdict"], "failing");
    const auto& flaky = test(j, "flaky, fails every third run [sic], \"quoted\"");
    EXPECT_EQ(flaky["verdict"], "flaky");
    EXPECT_EQ(flaky["runs"], 4);
    EXPECT_EQ(test(j, "stable after the faults")["verdict"], "stable");
    EXPECT_EQ(test(j, "stable after the faults")["runs"], 4);
}

TEST_F(RunCli, IsolateModeAndParallelJobsGiveEveryTestItsRuns) {
    for (const std::vector<std::string> mode : {std::vector<std::string>{"--mode", "isolate"},
                                                std::vector<std::string>{"-j", "2"}}) {
        std::vector<std::string> args{"--repeat", "3", "--json", path("r.json")};
        args.insert(args.end(), mode.begin(), mode.end());
        args.insert(args.end(), {"--", FIXTURE_GTEST});
        const auto r = pss_run(args, "crash");
        ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
        const auto j = results("r.json");
        for (const auto& t : j["tests"]) EXPECT_EQ(t["runs"], 3) << t["name"] << " with " << mode[0];
        EXPECT_EQ(test(j, "Faults.Crash")["failure_samples"][0]["type"], "crash:SIGSEGV");
    }
}

TEST_F(RunCli, AllowFlakyAndQuarantine) {
    const std::vector<std::string> base{"--repeat", "3", "--filter", "Stable.Adds:Flaky.*"};
    auto with = [&](std::vector<std::string> extra) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"--", FIXTURE_GTEST});
        return pss_run(args);
    };
    EXPECT_EQ(with({}).exit_code, 1);
    EXPECT_EQ(with({"--allow-flaky"}).exit_code, 0);
    write_file(path("quarantine.txt"), "# known flaky, tracked in #123\nFlaky.*\n");
    const auto q = with({"--quarantine", path("quarantine.txt")});
    EXPECT_EQ(q.exit_code, 0) << q.out;
    EXPECT_NE(q.out.find("quarantined"), std::string::npos);
    EXPECT_EQ(with({"--quarantine", path("missing.txt")}).exit_code, 2);
}

TEST_F(RunCli, OrderDependenceIsToldFromFlakiness) {
    const auto r = pss_run({"--repeat", "3", "--filter", "Order.*:Flaky.*", "--json", path("r.json"), "--",
                            FIXTURE_GTEST},
                           "order");
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto j = results("r.json");
    EXPECT_EQ(test(j, "Order.NeedsCleanState")["order_dependent"], true);
    EXPECT_EQ(test(j, "Flaky.FailsEveryThirdRun")["order_dependent"], false);
    EXPECT_NE(r.out.find("order-dependent"), std::string::npos);
}

TEST_F(RunCli, ShuffleSeedIsPrintedAndReplayable) {
    const auto r = pss_run({"--repeat", "2", "--shuffle", "--seed", "4242", "--filter", "Stable.*", "--json",
                            path("r.json"), "--", FIXTURE_GTEST});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("shuffle seed: 4242"), std::string::npos) << r.out;
    EXPECT_EQ(results("r.json")["run"]["seed"], 4242);
}

TEST_F(RunCli, ShardsSplitTheTests) {
    std::set<std::string> seen;
    std::size_t total = 0;
    for (const char* index : {"0", "1"}) {
        const auto r = pss_run({"--repeat", "2", "--shard-index", index, "--shard-count", "2", "--json",
                                path("r.json"), "--", FIXTURE_GTEST});
        ASSERT_NE(r.exit_code, 2) << r.err;
        const auto j = results("r.json");
        for (const auto& t : j["tests"]) {
            seen.insert(t["name"]);
            ++total;
        }
    }
    EXPECT_EQ(total, seen.size());  // no test in both shards
    EXPECT_EQ(seen.size(), 13u);    // and none left out
}

TEST_F(RunCli, WhatCannotRunGetsExit3AndBadOptionsExit2) {
    const auto missing = pss_run({"--", path("no-such-binary")});
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_NE(missing.err.find("does not exist"), std::string::npos);
    const auto not_a_test = pss_run({"--", "/bin/true"});
    EXPECT_EQ(not_a_test.exit_code, 3);
    EXPECT_NE(not_a_test.err.find("neither a GoogleTest nor a Catch2"), std::string::npos) << not_a_test.err;
    EXPECT_EQ(pss_run({"--repeat", "0", "--", FIXTURE_GTEST}).exit_code, 2);
    EXPECT_EQ(pss_run({"--mode", "psychic", "--", FIXTURE_GTEST}).exit_code, 2);
    EXPECT_EQ(pss_run({}).exit_code, 2);
    const auto listener = pss_run({"--mode", "listener", "--", FIXTURE_GTEST});
    EXPECT_EQ(listener.exit_code, 2);
    EXPECT_NE(listener.err.find("has no pss listener"), std::string::npos);
}

TEST_F(RunCli, ArgumentsAfterTheSecondSeparatorReachTheBinary) {
    // --gtest_fail_fast is the binary's own option: with it the first failure stops the run.
    const auto r = pss_run({"--repeat", "2", "--filter", "Faults.AlwaysFails:Stable.Adds", "--json", path("r.json"),
                            "--", FIXTURE_GTEST, "--", "--gtest_also_run_disabled_tests"},
                           "fail");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto j = results("r.json");
    EXPECT_NE(std::find(j["run"]["command_line"].begin(), j["run"]["command_line"].end(),
                        "--gtest_also_run_disabled_tests"),
              j["run"]["command_line"].end());
}

TEST_F(RunCli, ShardTracesMergeIntoOneGate) {
    for (const char* index : {"0", "1"}) {
        const auto r = pss_run({"--repeat", "3", "--shard-index", index, "--shard-count", "2", "--traces",
                                path(std::string("shard") + index + ".ndjson"), "--", FIXTURE_GTEST});
        ASSERT_NE(r.exit_code, 2) << r.err;
    }
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    const auto m = run_process({PSS_EXE, "merge", path("shard0.ndjson"), path("shard1.ndjson"), "--json",
                                path("m.json")},
                               o);
    EXPECT_EQ(m.exit_code, 1) << m.out << m.err;  // the flaky test is in one of the shards
    const auto j = results("m.json");
    EXPECT_EQ(j["tests"].size(), 13u);
    EXPECT_EQ(test(j, "Flaky.FailsEveryThirdRun")["verdict"], "flaky");
    EXPECT_EQ(test(j, "Stable.Adds")["runs"], 3);
    const auto missing = run_process({PSS_EXE, "merge", path("nope.ndjson")}, o);
    EXPECT_EQ(missing.exit_code, 3);
}

TEST_F(RunCli, ConfigGivesDefaultsAndOptionsOverrideThem) {
    write_file(path("pss.toml"), "[pss]\nrepeat = 2\nallow_flaky = true\nquarantine = \"q.txt\"\n");
    write_file(path("q.txt"), "Order.*\n");
    const auto r = pss_run({"--filter", "Stable.Adds:Flaky.*", "--json", path("r.json"), "--", FIXTURE_GTEST});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // flaky allowed by the config
    EXPECT_EQ(test(results("r.json"), "Stable.Adds")["runs"], 2);
    const auto o = pss_run({"--repeat", "3", "--filter", "Stable.Adds", "--json", path("r.json"), "--", FIXTURE_GTEST});
    EXPECT_EQ(test(results("r.json"), "Stable.Adds")["runs"], 3);
    write_file(path("pss.toml"), "[pss]\nallow_flaky = 1\n");
    const auto bad = pss_run({"--", FIXTURE_GTEST});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("allow_flaky' must be true or false"), std::string::npos) << bad.err;
}

TEST_F(RunCli, SigtermStopsCleanlyKeepingEveryRecordSoFar) {
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    o.env["FIXTURE_FAULTS"] = "hang";
    o.send_signal = SIGTERM;
    o.send_signal_after = 1.5;  // the hang in run 2 holds the runner until then
    const auto r = run_process({PSS_RUN_EXE, "--repeat", "4", "--timeout", "100", "--traces", path("t.ndjson"),
                                "--json", path("r.json"), "--", FIXTURE_GTEST},
                               o);
    EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.out << r.err;
    EXPECT_NE(r.out.find("interrupted by SIGTERM"), std::string::npos) << r.out;
    std::size_t records = 0;
    pss::read_trace_file(path("t.ndjson"), [&](const pss::TraceRecord&) { ++records; });
    EXPECT_GE(records, 24u);  // runs 0 and 1 of all 12 tests completed before the hang
    EXPECT_EQ(results("r.json")["gate"]["exit_code"], 128 + SIGTERM);
}

#ifdef EXAMPLE_GTEST
TEST_F(RunCli, ListenerModeFindsEveryInjectedFaultInBothFrameworks) {
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    o.env["PSS_EXAMPLE_FAULTS"] = "1";
    o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE"};
    const auto r = run_process({PSS_RUN_EXE, "--repeat", "5", "--timeout", "2", "--no-confirm", "--json",
                                path("r.json"), "--", EXAMPLE_GTEST, EXAMPLE_CATCH2},
                               o);
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto j = results("r.json");
    EXPECT_EQ(j["run"]["modes"], json::array({"listener", "listener"}));
    for (const char* crash : {"Faults.Crashes", "faults: crashes"}) {
        EXPECT_EQ(test(j, crash)["verdict"], "failing") << crash;
        EXPECT_EQ(test(j, crash)["failure_samples"][0]["type"].get<std::string>().rfind("crash:", 0), 0u) << crash;
    }
    for (const char* hang : {"Faults.Hangs", "faults: hangs"})
        EXPECT_EQ(test(j, hang)["failure_samples"][0]["type"], "timeout") << hang;
    for (const char* flaky : {"Flaky.FailsEveryThirdRun", "flaky: fails every third run"})
        EXPECT_EQ(test(j, flaky)["verdict"], "flaky") << flaky;
    // The 3.5x tail gets its own run of 20: four timed runs leave one slow
    // one, which a loaded machine's stretched fast runs can hide.
    const std::pair<const char*, const char*> tail_runs[] = {{EXAMPLE_GTEST, "Latency.*"},
                                                             {EXAMPLE_CATCH2, "[latency]"}};
    for (const auto& [binary, filter] : tail_runs) {
        const auto r = run_process({PSS_RUN_EXE, "--repeat", "20", "--no-confirm", "--filter", filter, "--json",
                                    path("tail.json"), "--", binary},
                                   o);
        ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
        const auto tail = results("tail.json")["tests"].at(0);
        EXPECT_EQ(tail["verdict"], "unstable") << tail.dump();
        EXPECT_NE(tail["observations"].dump().find("latency tail"), std::string::npos) << tail.dump();
    }
    for (const char* leak : {"Leak.GrowsAStaticCache", "leak: grows a static cache"})
        EXPECT_NE(test(j, leak)["observations"].dump().find("leaks"), std::string::npos) << leak;
    for (const char* after : {"AfterFaults.StillRuns", "after faults: still runs"}) {
        EXPECT_EQ(test(j, after)["runs"], 5) << after;
        EXPECT_EQ(test(j, after)["verdict"], "stable") << after;
    }
    EXPECT_GT(test(j, "Stable.SortsAVector")["breakdown"]["memory_stability"].get<double>(), 0.9);
}
#endif

TEST_F(RunCli, AFailureOutsideEveryTestFailsTheGateAndNamesTheBinary) {
    // LeakSanitizer's exit code after every test passed: ctest fails it, so must the gate.
    for (const char* mode : {"auto", "native"}) {
        const auto r = pss_run({"--repeat", "3", "--no-confirm", "--mode", mode, "--filter", "Stable.Adds", "--json",
                                path("r.json"), "--junit", path("r.xml"), "--", FIXTURE_GTEST},
                               "lsan");
        EXPECT_EQ(r.exit_code, 1) << mode << r.out << r.err;
        EXPECT_NE(r.err.find("listed 1 test, then failed (exit 23)"), std::string::npos) << r.err;
        const auto j = results("r.json");
        EXPECT_EQ(test(j, "Stable.Adds")["verdict"], "stable");
        ASSERT_EQ(j["process_failures"].size(), 1u) << j["process_failures"];
        EXPECT_EQ(j["process_failures"][0]["what"], "exited with code 23");
        EXPECT_EQ(j["process_failures"][0]["processes"], 3) << mode;
        EXPECT_NE(j["gate"]["reason"].get<std::string>().find("fixture_gtest_faults exited with code 23 outside its "
                                                              "tests"),
                  std::string::npos)
            << j["gate"];
        const std::string xml = read_file(path("r.xml"));
        EXPECT_NE(xml.find("errors=\"1\""), std::string::npos) << xml;
        EXPECT_NE(xml.find("<testcase name=\"(outside tests)\" classname=\"fixture_gtest_faults\""),
                  std::string::npos)
            << xml;
    }
    // abort() in a static destructor.
    const auto r = pss_run({"--repeat", "2", "--no-confirm", "--filter", "Stable.Adds", "--json", path("r.json"), "--",
                            FIXTURE_GTEST},
                           "dtor-abort");
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(results("r.json")["process_failures"][0]["what"], "was killed by SIGABRT");
    // Without the fault the same run passes: nothing else failed it.
    EXPECT_EQ(pss_run({"--repeat", "2", "--no-confirm", "--filter", "Stable.Adds", "--", FIXTURE_GTEST}).exit_code, 0);
}

TEST_F(RunCli, SigtermWhileListingTheTestsExitsWith143) {
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE"};
    o.env["FIXTURE_FAULTS"] = "slow-start";
    o.send_signal = SIGTERM;
    o.send_signal_after = 1;
    o.timeout_seconds = 25;
    const auto r = run_process({PSS_RUN_EXE, "--repeat", "2", "--", FIXTURE_GTEST}, o);
    EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
    EXPECT_NE(r.err.find("interrupted by SIGTERM while listing the tests of"), std::string::npos) << r.err;
}

TEST_F(RunCli, ReadingHistoryFromAnEmptyFileLeavesItEmpty) {
    pss::test::write_file(path("empty.db"), "");
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    const auto r = run_process({PSS_EXE, "history", "--db", path("empty.db")}, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("No history in"), std::string::npos) << r.out;
    EXPECT_EQ(std::filesystem::file_size(path("empty.db")), 0u);
    EXPECT_FALSE(std::filesystem::exists(path("empty.db-journal")));
}

TEST_F(RunCli, AFullDiskLosesTheTracesFileNotTheRun) {
    // /dev/full: every write fails with ENOSPC (and the device stays).
    const auto r = pss_run({"--repeat", "2", "--no-confirm", "--filter", "Stable.Adds", "--traces", "/dev/full",
                            "--json", path("r.json"), "--", FIXTURE_GTEST});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("cannot write to trace file '/dev/full'"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("Stable.Adds"), std::string::npos) << r.out;
    EXPECT_EQ(test(results("r.json"), "Stable.Adds")["runs"], 2);
    EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
}

TEST_F(RunCli, AShardGivenTwiceToMergeIsReadOnce) {
    ASSERT_EQ(pss_run({"--repeat", "3", "--no-confirm", "--filter", "Stable.Adds", "--traces", path("t.ndjson"), "--",
                       FIXTURE_GTEST})
                  .exit_code,
              0);
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    const auto r = run_process({PSS_EXE, "merge", path("t.ndjson"), path("t.ndjson"), "--json", path("m.json")}, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("was given more than once: read once"), std::string::npos) << r.err;
    EXPECT_EQ(test(results("m.json"), "Stable.Adds")["runs"], 3);
}

TEST_F(RunCli, ADaemonATestLeavesBehindNeitherHoldsTheRunNorOutlivesIt) {
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE"};
    o.env["FIXTURE_FAULTS"] = "daemon";
    o.env["FIXTURE_DAEMON_PID"] = path("daemons");
    // Holding stdout used to cost every process the whole --timeout (3 x 30 s).
    o.timeout_seconds = 60;
    const auto r = run_process({PSS_RUN_EXE, "--repeat", "3", "--no-confirm", "--fail-below", "0", "--timeout", "30", "--mode", "native",
                                "--filter", "Faults.LeavesADaemon", "--json", path("r.json"), "--", FIXTURE_GTEST},
                               o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(test(results("r.json"), "Faults.LeavesADaemon")["failures"], 0);
    std::istringstream pids(read_file(path("daemons")));
    int count = 0;
    for (int pid; pids >> pid; ++count) EXPECT_NE(::kill(pid, 0), 0) << "daemon " << pid << " outlived the run";
    EXPECT_EQ(count, 3);
}

TEST_F(RunCli, ANewlineInATestNameLosesNoOtherTestOfItsSuite) {
    const auto r = pss_run({"--repeat", "2", "--no-confirm", "--filter", "Names.*", "--json", path("r.json"), "--",
                            FIXTURE_GTEST},
                           "newline-name");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = results("r.json");
    for (const char* name : {"Names.Before", "Names.After", "Names.Last"}) {
        EXPECT_EQ(test(j, name)["runs"], 2) << name;
        EXPECT_EQ(test(j, name)["verdict"], "stable") << name;
    }
    for (const auto& t : j["tests"]) EXPECT_NE(t["verdict"], "failing") << t["name"];
    EXPECT_NE(j["notes"].dump().find("has a line break in its name"), std::string::npos) << j["notes"];
}

TEST_F(RunCli, Catch2NamesInLatin1OrWithControlCharactersAreRunAndJudged) {
    // Catch2's XML gives \xHH, the listener U+FFFD: both are matched to the
    // listed names, so nothing is re-run forever or left out. A "\r\n" in a
    // name is one test, not two that never run; in one process, in parallel
    // processes (its name on the command line, not in the -f list) and alone.
    for (const char* binary : {FIXTURE_CATCH2_BYTES, FIXTURE_CATCH2_BYTES_PSS}) {
        for (std::vector<std::string> how : {std::vector<std::string>{}, {"-j", "2"}, {"--mode", "isolate"}}) {
            std::vector<std::string> args{"--repeat", "3", "--no-confirm", "--timeout", "20", "--json", path("r.json")};
            args.insert(args.end(), how.begin(), how.end());
            args.insert(args.end(), {"--", binary});
            const auto r = pss_run(args);
            const std::string what = std::string(binary) + (how.empty() ? "" : " " + how[0]);
            EXPECT_EQ(r.exit_code, 1) << what << r.out << r.err;
            const auto j = results("r.json");
            ASSERT_EQ(j["tests"].size(), 6u) << what << j["tests"];
            EXPECT_EQ(j["summary"]["failing"], 1) << what;
            EXPECT_EQ(j["summary"]["stable"], 5) << what;
            for (const auto& t : j["tests"]) EXPECT_EQ(t["runs"], 3) << what << t["name"];
            EXPECT_EQ(test(j, "two\r\nlines pass")["verdict"], "stable") << what;
            EXPECT_EQ(r.err.find("did not run"), std::string::npos) << what << r.err;
            EXPECT_EQ(r.out.find("did not run"), std::string::npos) << what << r.out;
        }
    }
}

TEST_F(RunCli, HugeOutputIsSurvivedAndOnlyItsTailKept) {
    const auto r = pss_run({"--repeat", "2", "--no-confirm", "--filter", "Faults.HugeOutput:Stable.Adds", "--json",
                            path("r.json"), "--", FIXTURE_GTEST},
                           "huge");
    ASSERT_EQ(r.exit_code, 1) << r.err;
    const auto j = results("r.json");
    EXPECT_EQ(test(j, "Faults.HugeOutput")["verdict"], "failing");
    EXPECT_EQ(test(j, "Stable.Adds")["verdict"], "stable");
    const auto output = test(j, "Faults.HugeOutput")["failure_samples"][0]["output"].get<std::string>();
    EXPECT_LE(output.size(), 64u * 1024u);
    EXPECT_FALSE(output.empty());
}

TEST_F(RunCli, StoredRunsFindTheRegressionOfTheTestThatGotWorseOnly) {
    const std::string db = path("h/history.db");
    // --fail-below 0: a scheduler hiccup on a loaded machine must not decide this test.
    const std::vector<std::string> base{"--repeat", "10", "--no-confirm", "--fail-below", "0", "--filter",
                                        "Stable.*:Faults.AlwaysFails", "--db", db, "--store-history"};
    auto run = [&](std::vector<std::string> extra, const std::string& faults) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"--json", path("r.json"), "--", FIXTURE_GTEST});
        return pss_run(args, faults);
    };
    const auto first = run({}, "");
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    const auto second = run({"--fail-on-regression"}, "slow,fail");
    EXPECT_EQ(second.exit_code, 1) << second.out << second.err;
    const auto j = results("r.json");
    EXPECT_EQ(test(j, "Stable.Sleeps1ms")["verdict"], "regressed");
    EXPECT_NE(test(j, "Stable.Sleeps1ms")["observations"].dump().find("Mann-Whitney"), std::string::npos);
    EXPECT_EQ(test(j, "Faults.AlwaysFails")["verdict"], "failing");
    EXPECT_NE(test(j, "Faults.AlwaysFails")["observations"].dump().find("never failed in the baseline"),
              std::string::npos);
    EXPECT_EQ(test(j, "Stable.Adds")["verdict"], "stable");
    EXPECT_EQ(test(j, "Stable.AfterTheFaults")["verdict"], "stable");
    EXPECT_NE(second.err.find("regression (slower): Stable.Sleeps1ms"), std::string::npos) << second.err;

    pss::test::ProcessOptions o;
    o.cwd = dir_;
    const auto csv = run_process({PSS_EXE, "history", "--db", db, "--export", "csv"}, o);
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3);  // header and two runs
    const auto trend = run_process({PSS_EXE, "history", "--db", db, "--test", "Stable.Sleeps1ms"}, o);
    EXPECT_NE(trend.out.find("regressed"), std::string::npos) << trend.out;
    EXPECT_NE(trend.out.find("stable"), std::string::npos) << trend.out;
}

TEST_F(RunCli, RegressionsDoNotFailTheGateUnlessAsked) {
    const std::string db = path("history.db");
    for (const char* faults : {"", "slow"}) {
        const auto r = pss_run({"--repeat", "10", "--no-confirm", "--fail-below", "0", "--filter", "Stable.*", "--db",
                                db, "--store-history", "--", FIXTURE_GTEST},
                               faults);
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    }
}

// A --repeat whose records would not fit in memory runs in chunks of
// repetitions (PSS_MAX_RECORDS_HELD, about 100,000 records by default), each
// handed to the engine before the next: every run is still counted once, in
// the table, the JSON and --traces, and the output of failed runs is kept
// only for the failures the report samples.
TEST_F(RunCli, ALargeRepeatRunsInChunksAndLosesNoRun) {
    auto run = [&](const std::string& held, const std::string& name) {
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE", "NO_COLOR"};
        o.env["FIXTURE_FAULTS"] = "fail";
        if (!held.empty()) o.env["PSS_MAX_RECORDS_HELD"] = held;
        o.timeout_seconds = 240;
        return run_process({PSS_RUN_EXE, "--repeat", "12", "--no-confirm", "--fail-below", "0", "--filter",
                            "Stable.*:Faults.AlwaysFails", "--json", path(name + ".json"), "--traces",
                            path(name + ".ndjson"), "--", FIXTURE_GTEST},
                           o);
    };
    const auto whole = run("", "whole");
    const auto chunked = run("5", "chunked");
    EXPECT_EQ(whole.exit_code, 1) << whole.err;
    EXPECT_EQ(chunked.exit_code, 1) << chunked.err;
    const auto a = results("whole.json"), b = results("chunked.json");
    ASSERT_EQ(a["tests"].size(), b["tests"].size());
    ASSERT_GE(b["tests"].size(), 2u);
    for (const auto& t : b["tests"]) {
        EXPECT_EQ(t["runs"], 12) << t["name"];
        EXPECT_EQ(t["verdict"], test(a, t["name"])["verdict"]) << t["name"];
    }
    const auto& failing = test(b, "Faults.AlwaysFails");
    EXPECT_EQ(failing["failures"], 12);
    ASSERT_EQ(failing["failure_samples"].size(), 5u);
    for (const auto& f : failing["failure_samples"])
        EXPECT_NE(f["output"].get<std::string>().find("always fails"), std::string::npos) << f;
    // Every (test, run) once in the trace file.
    std::set<std::pair<std::string, std::int64_t>> seen;
    std::istringstream lines(read_file(path("chunked.ndjson")));
    std::size_t records = 0;
    for (std::string line; std::getline(lines, line);) {
        const auto r = json::parse(line);
        ++records;
        EXPECT_TRUE(seen.insert({r["name"].get<std::string>(), r["run"].get<std::int64_t>()}).second) << line;
    }
    EXPECT_EQ(records, 12 * b["tests"].size());
}

// Seen on googletest's own suite: GTEST_SKIP() in a global environment runs
// no test and names none; pss-run said "ran none of its tests" (exit 3)
// where GoogleTest passes. Every test is skipped, in every run, and the
// table says so instead of scoring it 0.
TEST_F(RunCli, ASkippedEnvironmentSkipsEveryTestAndPasses) {
    const auto r = pss_run({"--repeat", "3", "--no-confirm", "--filter", "Stable.*", "--json", path("r.json"), "--",
                            FIXTURE_GTEST},
                           "env-skip");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto j = results("r.json");
    ASSERT_EQ(j["tests"].size(), 3u) << j["tests"];
    for (const auto& t : j["tests"]) {
        EXPECT_EQ(t["skipped"], 3) << t;
        EXPECT_EQ(t["runs"], 0) << t;
        EXPECT_EQ(t["verdict"], "n/a") << t;
    }
    EXPECT_NE(r.out.find("skipped in every run (3)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3 tests: 0 stable, 3 skipped | overall PSS - (no test ran)"), std::string::npos) << r.out;
}
