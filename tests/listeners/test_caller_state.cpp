// Linking pss changes nothing a test can see between tests: the fixture in
// fixtures/caller_state.cpp records the floating-point environment, errno,
// the locales, signal dispositions and the signal mask at the start of each
// test. Every pss build (heap tracking on and off) run with and without
// tracing must record exactly what the plain build records. (fmt's
// float_test.isnan failed 10 of 10 runs with pss linked: FE_INEXACT was set
// before main and between tests.)
#include <algorithm>
#include <cerrno>
#include <cfenv>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "process.hpp"

namespace {

struct Build {
    std::string name;
    std::string path;
};

const std::vector<Build> gtest_pss_builds = {
    {"gtest, pss", CALLER_STATE_GTEST_PSS},
    {"gtest, pss without heap tracking", CALLER_STATE_GTEST_PSS_NO_HEAP},
};
const std::vector<Build> catch2_pss_builds = {
    {"catch2, pss", CALLER_STATE_CATCH2_PSS},
    {"catch2, pss without heap tracking", CALLER_STATE_CATCH2_PSS_NO_HEAP},
};

// What the fixture recorded, one line per test.
std::string recorded_state(const std::string& exe, bool tracing) {
    const std::string dir = pss::test::make_temp_dir("pss-caller-state");
    pss::test::ProcessOptions options;
    options.env["FIXTURE_STATE_FILE"] = dir + "/state.txt";
    options.unset_env = {"PSS_TRACE_FILE", "PSS_PROGRESS_FILE", "PSS_RUN"};
    if (tracing) {
        options.env["PSS_TRACE_FILE"] = dir + "/trace.ndjson";
        options.env["PSS_PROGRESS_FILE"] = dir + "/progress";
        options.env["PSS_RUN"] = "3";
    }
    const auto result = pss::test::run_process({exe}, options);
    EXPECT_EQ(result.exit_code, 0) << exe << "\n" << result.out << result.err;
    std::string state = pss::test::read_file(dir + "/state.txt");
    if (tracing) {
        const std::string trace = pss::test::read_file(dir + "/trace.ndjson");
        EXPECT_NE(trace.find("D_FourthTestSeesNoFlagRaisedBetweenTests"), std::string::npos)
            << exe << " wrote no records while tracing:\n" << trace;
    }
    std::filesystem::remove_all(dir);
    return state;
}

void expect_same_state_as_plain(const std::string& plain_exe, const std::vector<Build>& builds) {
    // run_process() ignores SIGPIPE in this process after its first child,
    // and children inherit that: ignore it before, so every build starts alike.
    std::signal(SIGPIPE, SIG_IGN);
    const std::string plain = recorded_state(plain_exe, false);
    ASSERT_EQ(std::count(plain.begin(), plain.end(), '\n'), 4) << plain;
    // The fixture's own changes are seen, or the comparison proves nothing.
    const auto second = plain.find("second fe_flags=");
    ASSERT_NE(second, std::string::npos) << plain;
    const std::string line = plain.substr(second, plain.find('\n', second) - second);
    EXPECT_TRUE(std::stoi(line.substr(16)) & FE_DIVBYZERO) << line;
    EXPECT_NE(line.find(" rounding=" + std::to_string(FE_UPWARD) + " "), std::string::npos) << line;
    EXPECT_NE(line.find(" errno=" + std::to_string(ERANGE) + " c_locale=C.UTF-8 cpp_locale=C.UTF-8 "),
              std::string::npos)
        << line;
    EXPECT_NE(line.find(" blocked=" + std::to_string(SIGUSR2) + ","), std::string::npos) << line;
    for (const Build& build : builds)
        for (const bool tracing : {false, true})
            EXPECT_EQ(recorded_state(build.path, tracing), plain)
                << build.name << (tracing ? ", tracing" : ", not tracing");
}

TEST(CallerState, GoogleTestWithPssSeesWhatAPlainBinarySees) {
    expect_same_state_as_plain(CALLER_STATE_GTEST_PLAIN, gtest_pss_builds);
}

TEST(CallerState, Catch2WithPssSeesWhatAPlainBinarySees) {
    expect_same_state_as_plain(CALLER_STATE_CATCH2_PLAIN, catch2_pss_builds);
}

}  // namespace
