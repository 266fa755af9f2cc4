// The heap growth (memory_diff) of Catch2 test cases: Catch2 keeps a tracker
// per SECTION and GENERATE until the next test case starts, which must not
// show as the test's leak (it was "leaks 2.2 KiB per run" for ten empty
// sections), while a real leak must, wherever the test runs in the process.
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "process.hpp"
#include "trace_helpers.hpp"

namespace {

using pss::test::run_process;

const std::string fixture_exe = PSS_CATCH2_SECTIONS_FIXTURE;

// Below the runner's leak threshold (1 KiB), with room. What is left is
// Catch2's own: vectors that grow the first time sections nest this deep,
// and per-test copies of names of different lengths (measured: within 600 B).
constexpr double no_leak_bytes = 768;
constexpr double leaked_bytes = 8 * 1024;

const std::vector<std::string> not_leaking = {"ten empty sections", "nested sections",
                                              "Scenario: a scenario with givens and whens", "generated values",
                                              "thirty sections, last"};
const std::vector<std::string> leaking = {"leaks 8 KiB", "leaks 8 KiB in a section"};

std::map<std::string, pss::TraceRecord> run_fixture(std::vector<std::string> args) {
    const std::string dir = pss::test::make_temp_dir("pss-catch2-sections");
    pss::test::ProcessOptions options;
    options.env["PSS_TRACE_FILE"] = dir + "/trace.ndjson";
    args.insert(args.begin(), fixture_exe);
    const auto result = run_process(args, options);
    std::map<std::string, pss::TraceRecord> by_name;
    for (const auto& r : pss::test::read_records(dir + "/trace.ndjson").records)
        if (r.kind == "test") by_name.emplace(r.name, r);
    std::filesystem::remove_all(dir);
    EXPECT_EQ(result.signal, 0) << result.out << result.err;
    return by_name;
}

void expect_growth(const std::map<std::string, pss::TraceRecord>& records, const std::string& name, bool leaks) {
    const auto it = records.find(name);
    ASSERT_NE(it, records.end()) << "no record of '" << name << "'";
    const double diff = it->second.memory_diff;
    if (leaks) {
        EXPECT_GT(diff, leaked_bytes - no_leak_bytes) << name;
        EXPECT_LT(diff, leaked_bytes + no_leak_bytes) << name;
    } else {
        EXPECT_LT(std::abs(diff), no_leak_bytes) << name;
    }
}

TEST(Catch2Sections, BookkeepingIsNotALeakAndALeakIsInDeclarationOrder) {
    const auto records = run_fixture({});
    EXPECT_EQ(records.size(), 8u);
    for (const auto& name : not_leaking) expect_growth(records, name, false);
    for (const auto& name : leaking) expect_growth(records, name, true);
    EXPECT_TRUE(records.at("fails in a section").error);
}

TEST(Catch2Sections, ALeakingTestIsMeasuredWhenItRunsLast) {
    // Lexical order: "generated ..." first, the leaking test last.
    const auto records = run_fixture({"--order", "lex", "generated values,leaks 8 KiB in a section"});
    ASSERT_EQ(records.size(), 2u);
    expect_growth(records, "generated values", false);
    expect_growth(records, "leaks 8 KiB in a section", true);
}

TEST(Catch2Sections, ALeakingTestIsMeasuredWhenItRunsAlone) {
    const auto alone = run_fixture({"leaks 8 KiB"});
    ASSERT_EQ(alone.size(), 1u);
    expect_growth(alone, "leaks 8 KiB", true);
    const auto sections_alone = run_fixture({"thirty sections\\, last"});  // a comma separates test specs
    expect_growth(sections_alone, "thirty sections, last", false);
}

TEST(Catch2Sections, EveryOrderGivesTheSameVerdicts) {
    for (const char* seed : {"1", "2", "3", "4"}) {
        const auto records = run_fixture({"--order", "rand", "--rng-seed", seed});
        for (const auto& name : not_leaking) expect_growth(records, name, false);
        for (const auto& name : leaking) expect_growth(records, name, true);
    }
}

}  // namespace
