// The installed package from a user's point of view: cmake --install, then a
// separate project finds it with find_package(pss), links pss::gtest_main /
// pss::catch2, and its tests write records with PSS_TRACE_FILE.
#include <algorithm>
#include <csignal>
#include <cstdlib>
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

// The packages pss's command needs: none of them may be needed by what a
// test binary links, so the consumer is configured with each made unfindable.
std::vector<std::string> configure(const std::string& build, const std::string& prefix,
                                   std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{PSS_CMAKE_COMMAND, "-S", PSS_CONSUMER_DIR, "-B", build, "-G", PSS_CMAKE_GENERATOR,
                                  "-DCMAKE_CXX_COMPILER=" PSS_CXX_COMPILER, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                                  "-DCMAKE_PREFIX_PATH=" + prefix};
    for (const char* package : {"fmt", "simdjson", "tomlplusplus", "SQLite3", "CURL", "nlohmann_json", "CLI11"})
        argv.push_back(std::string("-DCMAKE_DISABLE_FIND_PACKAGE_") + package + "=ON");
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

// What the dynamic loader will load for `exe`, one library a line.
std::string shared_libraries(const std::string& exe) {
    return run_process({"ldd", exe}).out;
}

class InstalledPackage : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = pss::test::make_temp_dir("pss-install");
        prefix_ = dir_ + "/prefix";
        installed_ = run_process({PSS_CMAKE_COMMAND, "--install", PSS_BINARY_DIR, "--prefix", prefix_}).exit_code == 0;
    }
    static void TearDownTestSuite() {
        if (!::testing::UnitTest::GetInstance()->Failed()) std::filesystem::remove_all(dir_);
    }
    void SetUp() override { ASSERT_TRUE(installed_) << "cmake --install failed"; }
    static std::string dir_, prefix_;
    static bool installed_;
};
std::string InstalledPackage::dir_, InstalledPackage::prefix_;
bool InstalledPackage::installed_ = false;

TEST_F(InstalledPackage, AConsumerProjectGetsOneValidRecordPerTest) {
    const std::string& dir = dir_;
    const std::string& prefix = prefix_;
    const std::string build = dir + "/build", trace = dir + "/trace.ndjson";

    must_run(configure(build, prefix));
    must_run({PSS_CMAKE_COMMAND, "--build", build, "-j", "2"});
    if (HasFailure()) return;  // keep `dir` for a look at what went wrong

    // Nothing of pss's command reaches the test binaries.
    for (const char* exe : {"/consumer_gtest", "/consumer_catch2", "/consumer_gtest_own_fmt"}) {
        const std::string libs = shared_libraries(build + exe);
        for (const char* lib : {"libfmt", "libtomlplusplus", "libsimdjson", "libsqlite3", "libcurl", "libz.", "libzstd"})
            EXPECT_EQ(libs.find(lib), std::string::npos) << exe << " loads " << lib << ":\n" << libs;
    }
    for (const char* archive : {"/lib/libpss_runtime.a", "/lib/libpss_record.a", "/lib/libpss_heap.a"}) {
        const std::string undefined = run_process({"nm", "-C", "-u", prefix + archive}).out;
        EXPECT_EQ(undefined.find("fmt::"), std::string::npos) << archive << " needs fmt";
        EXPECT_EQ(undefined.find("toml::"), std::string::npos) << archive << " needs toml++";
    }

    // GoogleTest through pss::gtest_main.
    auto gtest = run_traced(build + "/consumer_gtest", trace);
    EXPECT_EQ(gtest.stats.malformed, 0u);
    EXPECT_EQ(gtest.records.size(), 8u);  // 7 tests + 1 block
    // The death test's child re-runs the program: it writes no record.
    EXPECT_EQ(pss::test::select(gtest.records, "test", "ConsumerDeathTest.ChildWritesNoRecord").size(), 1u);
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
    EXPECT_EQ(own_new.records.size(), 8u);
    EXPECT_EQ(only_test(own_new.records, "Consumer.Allocates1MiB").memory, 0);

    // Its own fmt (another version) in the same binary as the listener.
    auto own_fmt = run_traced(build + "/consumer_gtest_own_fmt", trace);
    EXPECT_EQ(own_fmt.records.size(), 9u);
    EXPECT_FALSE(only_test(own_fmt.records, "OwnFmt.FormatsWithTheProjectsFmt").error);
    EXPECT_GE(only_test(own_fmt.records, "Consumer.Allocates1MiB").memory, MiB);
}

// GoogleTest source trees to build the consumer against: the system's
// (/usr/src/googletest), and any listed in PSS_TEST_GTEST_SOURCES (separated
// by ':'), e.g. release-1.10.0 and release-1.11.0 checkouts, whose flags
// and death-test internals differ from 1.12's.
std::vector<std::string> googletest_sources() {
    std::vector<std::string> sources{"/usr/src/googletest"};
    if (const char* extra = std::getenv("PSS_TEST_GTEST_SOURCES")) {
        std::string list = extra;
        for (std::size_t begin = 0; begin <= list.size();) {
            const std::size_t end = std::min(list.find(':', begin), list.size());
            if (end > begin) sources.push_back(list.substr(begin, end - begin));
            begin = end + 1;
        }
    }
    return sources;
}

TEST_F(InstalledPackage, GoogleTestBuiltFromSourceWithAddSubdirectory) {
    // googletest's own CMakeLists (as FetchContent or a vendored copy uses it):
    // the listener is compiled against that GoogleTest, whatever its version.
    const auto sources = googletest_sources();
    for (std::size_t i = 0; i < sources.size(); ++i) {
        SCOPED_TRACE("GoogleTest from " + sources[i]);
        const std::string build = dir_ + "/build-from-source-" + std::to_string(i);
        const std::string trace = dir_ + "/trace-source.ndjson";
        must_run(configure(build, prefix_, {"-DCONSUMER_GTEST_FROM_SOURCE=" + sources[i]}));
        must_run({PSS_CMAKE_COMMAND, "--build", build, "-j", "2", "--target", "consumer_gtest"});
        if (HasFailure()) return;
        auto gtest = run_traced(build + "/consumer_gtest", trace);
        EXPECT_EQ(gtest.stats.malformed, 0u);
        EXPECT_EQ(pss::test::select(gtest.records, "test", "Consumer.Fails").size(), 1u);
        EXPECT_GE(only_test(gtest.records, "Consumer.Allocates1MiB").memory, MiB);
        EXPECT_EQ(pss::test::select(gtest.records, "test", "ConsumerDeathTest.ChildWritesNoRecord").size(), 1u);
        EXPECT_EQ(gtest.records.size(), 8u);
    }
}

TEST_F(InstalledPackage, LinkingTheGoogleTestListenerWithoutGoogleTestFailsConfigurationWithOneLine) {
    const std::string build = dir_ + "/build-no-gtest";
    pss::test::ProcessOptions options;
    options.timeout_seconds = 120;
    const auto r = run_process(configure(build, prefix_, {"-DCONSUMER_FORGETS_GTEST=ON"}), options);
    EXPECT_NE(r.exit_code, 0);
    // CMake wraps long messages: compare with the white space folded.
    std::string folded;
    for (char c : r.err) {
        const bool space = c == ' ' || c == '\n';
        if (!space || (!folded.empty() && folded.back() != ' ')) folded += space ? ' ' : c;
    }
    EXPECT_NE(folded.find("target 'consumer_gtest' links pss::gtest/pss::gtest_main but this project has no "
                          "GoogleTest: call find_package(GTest)"),
              std::string::npos)
        << r.err;
}

}  // namespace
