// The pull request comment: under GitHub's comment limit whatever the suite's
// size, worst first, with run strips, the change against the baseline and a
// link to the full report; and GitHub's renderer shows it as a table.
#include <gtest/gtest.h>

#include <filesystem>

#include "process.hpp"
#include "pss/text/width.hpp"
#include "render.hpp"
#include "sample_reports.hpp"

using namespace pss;

namespace {

constexpr const char* cross = "\xE2\x9D\x8C";
constexpr const char* check = "\xE2\x9C\x85";

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = 0; (p = text.find(needle, p)) != std::string::npos; p += needle.size()) ++n;
    return n;
}

// `tests` tests: every third flaky, every 25th failing, every 40th unstable,
// the rest stable; long names; 100 runs each.
RunResults big_run(std::size_t tests) {
    RunResults r = test::sample_report();
    const TestResult flaky = r.tests[1], failing = r.tests[0], unstable = r.tests[2], stable = r.tests[3];
    r.tests.clear();
    for (std::size_t i = 0; i < tests; ++i) {
        TestResult t = i % 25 == 0 ? failing : i % 3 == 0 ? flaky : i % 40 == 0 ? unstable : stable;
        t.quarantined = false;
        t.name = "VeryLongSuiteName_" + std::to_string(i / 50) + ".TestWithAQuiteLongAndDescriptiveName_" +
                 std::to_string(i) + "_" + std::string(60, 'x');
        t.series.resize(100, t.series.back());
        t.runs = 100;
        r.tests.push_back(std::move(t));
    }
    sort_worst_first(r.tests);
    mark_gate_failures(r.tests, GatePolicy{});
    r.overall = aggregate(r.tests);
    r.summary = summarize(r.tests, r.overall);
    return r;
}

}  // namespace

TEST(PrComment, SmallRunListsEveryTestThatNeedsAttentionWithRunStripsAndChange) {
    RunResults r = test::sample_report();
    r.baseline_branch = "main";
    r.baseline_pss = 50;
    const std::string md = test::render("pr-comment", r);
    EXPECT_EQ(md.rfind("<!-- pss:pr-comment -->\n## \xE2\x9D\x8C pss: gate failed \xE2\x80\x94 overall PSS 34 (-16 against main)", 0), 0u) << md;
    EXPECT_NE(md.find("| Test | Verdict | PSS | Change vs main | Runs | Why |"), std::string::npos) << md;
    // Worst first; the flaky test's strip shows its failed runs 4, 7 and 9.
    const std::string strip = std::string(check) + check + check + cross + check + check + cross + check + cross + check;
    EXPECT_NE(md.find("| Network.Retries | flaky | 61 | \xE2\x80\x94 | " + strip + " |"), std::string::npos) << md;
    EXPECT_NE(md.find("| Parser.LargeInput | unstable | 72 | -8 |"), std::string::npos) << md;
    EXPECT_LT(md.find("Parser.RejectsEmpty"), md.find("Network.Retries"));
    EXPECT_NE(md.find("[Full report](PSS_REPORT_URL)"), std::string::npos);
    pss::reports::RenderOptions o;
    o.report_url = "https://ci.example/run/1";
    EXPECT_NE(test::render("pr-comment", r, o).find("[Full report](https://ci.example/run/1)"), std::string::npos);
}

TEST(PrComment, TwoThousandTestsStayUnderGithubsLimitWithCountsForTheRest) {
    const RunResults r = big_run(2000);
    const std::string md = test::render("pr-comment", r);
    EXPECT_LT(text::utf16_length(md), 60000u);
    EXPECT_LT(md.size(), 60000u);  // bytes too, whichever way a service counts
    // The worst come first and what did not fit is counted, not dropped.
    EXPECT_NE(md.find("failing"), std::string::npos);
    EXPECT_NE(md.find("more that need attention ("), std::string::npos) << md.substr(md.size() - 600);
    EXPECT_NE(md.find("tests need no attention"), std::string::npos);
    EXPECT_NE(md.find("[Full report]("), std::string::npos);
    std::cout << "PR comment for 2,000 tests x 100 runs: " << text::utf16_length(md) << " characters, " << md.size()
              << " bytes\n";
}

TEST(PrComment, AnySizeStaysUnderTheLimit) {
    for (std::size_t n : {0u, 1u, 50u, 400u, 20000u}) {
        const std::string md = test::render("pr-comment", big_run(n));
        EXPECT_LT(text::utf16_length(md), 60000u) << n;
    }
}

// cmark-gfm is GitHub's Markdown renderer: one table, one row per listed test,
// nothing injected by hostile names.
TEST(PrComment, GithubRendererShowsTheTable) {
    if (!std::filesystem::exists("/usr/bin/cmark-gfm"))
        GTEST_SKIP() << "/usr/bin/cmark-gfm is missing (Debian package cmark-gfm; ./setup.sh test installs it)";
    test::ProcessOptions o;
    o.stdin_text = test::render("pr-comment", test::hostile_report());
    const auto r = test::run_process({"/usr/bin/cmark-gfm", "--unsafe", "-e", "table"}, o);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(count(r.out, "<table>"), 1u) << r.out;
    EXPECT_EQ(count(r.out, "<tr>"), 3u) << r.out;  // header and the two tests that fail the gate
    EXPECT_EQ(count(r.out, "<script"), 0u) << r.out;
    EXPECT_EQ(count(r.out, "<img"), 0u) << r.out;
}
