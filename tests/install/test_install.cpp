// The installed package from a user's point of view: cmake --install, then a
// separate project finds it with find_package(pss), links pss::gtest_main /
// pss::catch2, and its tests write records with PSS_TRACE_FILE.
#include <csignal>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "process.hpp"
#include "../listeners/trace_helpers.hpp"

namespace {

using pss::test::only_test;
using pss::test::run_process;

constexpr double MiB = 1 << 20;

pss::test::ProcessResult must_run(const std::vector<std::string>& argv, double timeout = 240) {
    pss::test::ProcessOptions options;
    options.timeout_seconds = timeout;
    auto result = run_process(argv, options);
    if (result.exit_code != 0) {
        std::string command;
        for (const auto& a : argv) command += a + " ";
        ADD_FAILURE() << command << "failed (" << result.exit_code << "):\n" << result.out << result.err;
    }
    return result;
}

pss::test::TraceContents run_traced(const std::string& exe, const std::string& trace,
                                    std::map<std::string, std::string> env = {}) {
    std::filesystem::remove(trace);
    pss::test::ProcessOptions options;
    options.env = std::move(env);
    options.env["PSS_TRACE_FILE"] = trace;
    options.unset_env = {"PSS_RUN", "PSS_PROGRESS_FILE"};
    run_process({exe}, options);
    return pss::test::read_records(trace);
}

TEST(InstalledPackage, AConsumerProjectGetsOneValidRecordPerTest) {
    const std::string dir = pss::test::make_temp_dir("pss-install");
    const std::string prefix = dir + "/prefix", build = dir + "/build", trace = dir + "/trace.ndjson";

    must_run({PSS_CMAKE_COMMAND, "--install", PSS_BINARY_DIR, "--prefix", prefix});
    must_run({PSS_CMAKE_COMMAND, "-S", PSS_CONSUMER_DIR, "-B", build, "-G", PSS_CMAKE_GENERATOR,
              "-DCMAKE_CXX_COMPILER=" PSS_CXX_COMPILER, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
              "-DCMAKE_PREFIX_PATH=" + prefix});
    must_run({PSS_CMAKE_COMMAND, "--build", build, "-j", "2"});
    if (HasFailure()) return;  // keep `dir` for a look at what went wrong

    // GoogleTest through pss::gtest_main.
    auto gtest = run_traced(build + "/consumer_gtest", trace);
    EXPECT_EQ(gtest.stats.malformed, 0u);
    EXPECT_EQ(gtest.records.size(), 7u);  // 6 tests + 1 block
    EXPECT_GE(only_test(gtest.records, "Consumer.Allocates1MiB").memory, MiB);
    const auto failed = only_test(gtest.records, "Consumer.Fails");
    EXPECT_TRUE(failed.error);
    EXPECT_EQ(failed.exception_type, "assertion");
    EXPECT_GE(only_test(gtest.records, "Consumer.Sleeps20ms").wait_time, 0.015);
    EXPECT_EQ(only_test(gtest.records, "Consumer.Branches").branch_tag, "left;right");
    EXPECT_EQ(only_test(gtest.records, "Consumer.Branches").module, "consumer_gtest.Consumer");

    // A crash mid-suite keeps every earlier record.
    auto crashed = run_traced(build + "/consumer_gtest", trace, {{"CONSUMER_CRASH", "1"}});
    EXPECT_EQ(crashed.stats.malformed, 0u);
    EXPECT_EQ(pss::test::select(crashed.records, "test", "Consumer.Branches").size(), 1u);
    EXPECT_EQ(pss::test::select(crashed.records, "test", "Consumer.CrashesWhenAsked").size(), 0u);
    EXPECT_EQ(pss::test::select(crashed.records, "test", "Consumer.AfterTheCrash").size(), 0u);

    // Catch2 through pss::catch2.
    auto catch2 = run_traced(build + "/consumer_catch2", trace);
    EXPECT_EQ(catch2.stats.malformed, 0u);
    EXPECT_EQ(catch2.records.size(), 4u);
    EXPECT_GE(only_test(catch2.records, "allocates 1 MiB").memory, MiB);
    EXPECT_TRUE(only_test(catch2.records, "fails").error);
    EXPECT_GE(only_test(catch2.records, "sleeps 20 ms").wait_time, 0.015);
    EXPECT_EQ(only_test(catch2.records, "branches").branch_tag, "catch2-path");

    // Opted out of heap tracking (it has its own operator new): records, no heap figures.
    auto own_new = run_traced(build + "/consumer_gtest_own_new", trace);
    EXPECT_EQ(own_new.records.size(), 7u);
    EXPECT_EQ(only_test(own_new.records, "Consumer.Allocates1MiB").memory, 0);

    std::filesystem::remove_all(dir);
}

}  // namespace
