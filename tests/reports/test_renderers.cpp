// Every renderer on fixed reports: golden files, what consumers rely on
// (JUnit counts, Surefire flakyFailure, Markdown table shape), hostile input,
// and the JSON round trip behind `pss report --from`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "process.hpp"
#include "pss/reports/formats.hpp"
#include "pss/reports/json_reader.hpp"
#include "pss/reports/table.hpp"
#include "render.hpp"
#include "sample_reports.hpp"
#include "xml_check.hpp"

using namespace pss;
using namespace pss::reports;
using namespace pss::test;
using pss::test::expect_golden;
using pss::test::hostile_report;
using pss::test::sample_report;
using pss::test::XmlDoc;

namespace {

// Cells of a Markdown table row, split on the pipes that are not escaped.
std::size_t markdown_cells(const std::string& row) {
    std::size_t pipes = 0;
    for (std::size_t i = 0; i < row.size(); ++i) {
        if (row[i] == '\\') {
            ++i;
            continue;
        }
        pipes += row[i] == '|';
    }
    return pipes - 1;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t from = 0;
    for (std::size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1)
        out.push_back(text.substr(from, nl - from));
    if (from < text.size()) out.push_back(text.substr(from));
    return out;
}

// Every row of every table in `markdown` has as many cells as its header.
void expect_tables_intact(const std::string& markdown) {
    std::size_t header_cells = 0;
    for (const auto& line : lines_of(markdown)) {
        if (line.empty() || line.front() != '|') {
            header_cells = 0;
            continue;
        }
        if (header_cells == 0) header_cells = markdown_cells(line);
        EXPECT_EQ(markdown_cells(line), header_cells) << line;
    }
}

}  // namespace

TEST(Golden, Json) { expect_golden("sample.json", render_run_json(sample_report())); }
TEST(Golden, JUnit) { expect_golden("sample.junit.xml", render_run_junit(sample_report())); }
TEST(Golden, Markdown) { expect_golden("sample.md", render_run_markdown(sample_report())); }
TEST(Golden, Html) { expect_golden("sample.html", render_run_html(sample_report())); }
TEST(Golden, GithubAnnotations) {
    expect_golden("sample.annotations.txt", render_github_annotations(sample_report(), "/src/project"));
}
TEST(Golden, HostileJUnitAndMarkdown) {
    expect_golden("hostile.junit.xml", render_run_junit(hostile_report()));
    expect_golden("hostile.md", render_run_markdown(hostile_report()));
}

TEST(JUnit, OneSuiteWithAFailurePerTestThatFailsTheGate) {
    const XmlDoc xml(render_run_junit(sample_report()));
    ASSERT_EQ(xml.error(), "");
    EXPECT_EQ(xml.value("/testsuite/@tests"), "4");
    // failing, flaky and unstable fail the gate; the quarantined one does not.
    EXPECT_EQ(xml.value("/testsuite/@failures"), "3");
    EXPECT_EQ(xml.count("//testcase/failure"), 3u);
    EXPECT_EQ(xml.count("//testcase[@name='Network.Parses']/failure"), 0u);
    EXPECT_EQ(xml.value("//testcase[@name='Parser.RejectsEmpty']/@classname"), "Parser");
    // time is the median run, to the millisecond as both schemas allow.
    EXPECT_EQ(xml.value("//testcase[@name='Parser.RejectsEmpty']/@time"), "0.001");
    EXPECT_EQ(xml.value("/testsuite/properties/property[@name='pss.overall_pss']/@value"), "34");
    EXPECT_EQ(xml.value("/testsuite/properties/property[@name='hostname']/@value"), "ci-runner-1");
}

TEST(JUnit, FailingTestHasFailureWithDetailsAndOutput) {
    const XmlDoc xml(render_run_junit(sample_report()));
    const std::string tc = "//testcase[@name='Parser.RejectsEmpty']";
    EXPECT_EQ(xml.count(tc + "/failure"), 1u);
    EXPECT_EQ(xml.value(tc + "/failure/@type"), "assertion");
    EXPECT_EQ(xml.value(tc + "/failure/@message"), "failing: failed all 10 runs: Expected equality of these values:");
    // Paths relative to the repository root, runs counted from 1.
    EXPECT_NE(xml.value(tc + "/failure").find("run 1: assertion at tests/Parser_test.cpp:47"), std::string::npos);
    EXPECT_NE(xml.value(tc + "/failure").find("8 more failed runs not sampled"), std::string::npos);
    EXPECT_NE(xml.value(tc + "/system-out").find("boom"), std::string::npos);
    EXPECT_NE(xml.value(tc + "/system-out").find("pss: PSS 34 (failing, fails the gate), 10 runs, 10 failed"),
              std::string::npos);
}

TEST(JUnit, FlakyTestThatFailsTheGateIsAFailureNamingItsRuns) {
    const XmlDoc xml(render_run_junit(sample_report()));
    const std::string tc = "//testcase[@name='Network.Retries']";
    EXPECT_EQ(xml.count(tc + "/failure"), 1u);
    EXPECT_EQ(xml.count(tc + "/flakyFailure"), 0u);
    EXPECT_EQ(xml.value(tc + "/failure/@message"), "flaky: failed 3 of 10 runs (run 4, 7, 9): killed after 60 s");
    EXPECT_EQ(xml.value(tc + "/failure/@type"), "timeout");
}

TEST(JUnit, UnstableTestIsAFailureWithItsReason) {
    const XmlDoc xml(render_run_junit(sample_report()));
    const std::string tc = "//testcase[@name='Parser.LargeInput']";
    EXPECT_EQ(xml.value(tc + "/failure/@type"), "unstable");
    EXPECT_EQ(xml.value(tc + "/failure/@message"), "unstable: PSS 72 is below 80 (weakest: memory 0.88)");
    EXPECT_NE(xml.value(tc + "/failure").find("latency tail: p95 is 3.9x p50"), std::string::npos);
}

TEST(JUnit, FlakyTestTheGateAllowsPassesWithOneFlakyFailurePerFailedRun) {
    RunResults r = sample_report();
    GatePolicy allow;
    allow.allow_flaky = true;
    mark_gate_failures(r.tests, allow);
    const XmlDoc xml(render_run_junit(r));
    const std::string tc = "//testcase[@name='Network.Retries']";
    EXPECT_EQ(xml.value("/testsuite/@failures"), "2");
    EXPECT_EQ(xml.count(tc + "/failure"), 0u);
    EXPECT_EQ(xml.count(tc + "/flakyFailure"), 3u);
    EXPECT_EQ(xml.value(tc + "/flakyFailure[1]/@type"), "timeout");
    EXPECT_NE(xml.value(tc + "/flakyFailure[1]/stackTrace").find("run 4: timeout"), std::string::npos);
    EXPECT_EQ(xml.value(tc + "/flakyFailure[1]/system-out"), "waiting for socket...");
    EXPECT_EQ(xml.value(tc + "/flakyFailure[2]/@type"), "crash:SIGSEGV");
    EXPECT_NE(xml.value(tc + "/flakyFailure[3]/stackTrace").find("run 9 of 10"), std::string::npos);

    // --junit-flaky-as-failure makes it a failure all the same.
    const XmlDoc strict(render_run_junit(r, {true}));
    EXPECT_EQ(strict.value("/testsuite/@failures"), "3");
    EXPECT_EQ(strict.count(tc + "/failure"), 1u);
    EXPECT_EQ(strict.count("//flakyFailure"), 0u);
}

TEST(JUnit, HostileNamesAndMessagesStayWellFormedAndExact) {
    const std::string text = render_run_junit(hostile_report());
    const XmlDoc xml(text);
    ASSERT_EQ(xml.error(), "") << text;
    EXPECT_EQ(text.find("]]>"), std::string::npos);
    EXPECT_EQ(xml.count("//testcase"), 3u);
    // The parser gives back exactly the name, quotes, ampersand and all.
    EXPECT_EQ(xml.count(std::string("//testcase[@name='") + pss::test::script_name + "']"), 1u);
    EXPECT_EQ(xml.value("//testcase[1]/@classname"), "hostile \"suite\" <x>");
    const std::string message = xml.value("//testcase[2]/failure");
    EXPECT_NE(message.find("]]> \\x01\\x02\\x1b[31mred\\x7f"), std::string::npos) << message;
    EXPECT_NE(message.find("\xEF\xBF\xBD"), std::string::npos);  // invalid UTF-8 replaced
    EXPECT_NE(xml.value("//testcase[1]/system-out").find("\\x00end"), std::string::npos);
    // A name with a newline keeps it (attribute normalisation would turn a raw one into a space).
    EXPECT_NE(xml.value("//testcase[2]/@name").find("\n newline"), std::string::npos);
}

TEST(Markdown, HeadlineAttentionTableAndDetails) {
    const std::string md = render_run_markdown(sample_report());
    EXPECT_EQ(md.rfind("## \xE2\x9D\x8C pss: gate failed", 0), 0u) << md;
    EXPECT_NE(md.find("### 3 tests need attention"), std::string::npos);
    EXPECT_NE(md.find("| Parser.LargeInput | unstable | 72 | -8 |"), std::string::npos);  // change vs baseline
    EXPECT_NE(md.find("| Network.Retries | flaky | 61 | \xE2\x80\x94 | 10 | 70% |"), std::string::npos);
    EXPECT_NE(md.find("<details>\n<summary>All 4 tests</summary>"), std::string::npos);
    expect_tables_intact(md);
}

TEST(Markdown, HostileNamesCannotBreakTheTableOrInjectHtml) {
    const std::string md = render_run_markdown(hostile_report());
    expect_tables_intact(md);
    for (const auto& line : lines_of(md)) {
        if (line == "<details>" || line == "</details>" || line.rfind("<summary>", 0) == 0) continue;
        EXPECT_EQ(line.find('<'), std::string::npos) << line;
        EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    }
    EXPECT_NE(md.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"x\""), std::string::npos);
}

// cmark-gfm is GitHub's Markdown renderer; --unsafe lets raw HTML through, so
// anything our escaping missed would show up in its output.
TEST(Markdown, GithubRendererShowsOneRowPerTestAndNoInjectedHtml) {
    if (!std::filesystem::exists("/usr/bin/cmark-gfm"))
        GTEST_SKIP() << "/usr/bin/cmark-gfm is missing (Debian package cmark-gfm; ./setup.sh test installs it)";
    pss::test::ProcessOptions o;
    o.stdin_text = render_run_markdown(hostile_report());
    const auto r = pss::test::run_process({"/usr/bin/cmark-gfm", "--unsafe", "-e", "table"}, o);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string& html = r.out;
    auto count = [&](const std::string& needle) {
        std::size_t n = 0;
        for (std::size_t p = 0; (p = html.find(needle, p)) != std::string::npos; p += needle.size()) ++n;
        return n;
    };
    EXPECT_EQ(count("<table>"), 2u) << html;
    // Attention table: 2 tests x 9 columns; all tests: 3 x 14.
    EXPECT_EQ(count("<td"), 2u * 9 + 3u * 14) << html;
    EXPECT_EQ(count("<script"), 0u) << html;
    EXPECT_EQ(count("<img"), 0u) << html;
    EXPECT_EQ(count("<b>"), 0u) << html;
    EXPECT_EQ(count("<a "), 0u) << html;
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"), std::string::npos) << html;
}

TEST(GithubAnnotations, AnErrorForEveryTestThatFailsTheGateAtTheFailingAssertion) {
    RunResults r = sample_report();
    r.tests[3].verdict = Verdict::flaky;  // quarantined: needs attention, does not fail the gate
    r.tests[3].failure_samples = {pss::test::sample(2, "assertion", "boom", "", 0, "")};
    mark_gate_failures(r.tests, GatePolicy{});
    const auto lines = lines_of(render_github_annotations(r, "/src/project"));
    ASSERT_EQ(lines.size(), 4u);
    // At the failed assertion (line 47), not the TEST() line (42); path relative to the workspace.
    EXPECT_EQ(lines[0].rfind("::error file=tests/Parser_test.cpp,line=47,title=pss%3A Parser.RejectsEmpty is failing", 0),
              0u)
        << lines[0];
    EXPECT_EQ(lines[1].rfind("::error file=tests/Network_test.cpp,line=42,title=pss%3A Network.Retries is flaky", 0), 0u)
        << lines[1];
    // Unstable tests fail the gate too: errors, not warnings.
    EXPECT_EQ(lines[2].rfind("::error file=tests/Parser_test.cpp,line=42,title=pss%3A Parser.LargeInput is unstable", 0),
              0u)
        << lines[2];
    EXPECT_EQ(lines[3].rfind("::warning file=tests/Network_test.cpp,line=42,", 0), 0u) << lines[3];
    EXPECT_NE(lines[3].find("quarantined"), std::string::npos) << lines[3];
    // Without a workspace the run's repository root applies.
    EXPECT_EQ(lines_of(render_github_annotations(r))[0].rfind("::error file=tests/Parser_test.cpp,line=47,", 0), 0u);
    for (const auto& l : lines_of(render_github_annotations(hostile_report()))) {
        EXPECT_EQ(l.find('\r'), std::string::npos);
        EXPECT_EQ(l.rfind("::", 0), 0u);
    }
}

TEST(Html, EscapesEverythingAndEmbedsDataAsInertJson) {
    const std::string html = render_run_html(hostile_report());
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_NE(html.find("gate failed: &lt;b&gt;1&lt;/b&gt; failing &amp; 1 flaky tests"), std::string::npos);
    // Exactly two script elements: the JSON data and the sorting script.
    std::size_t scripts = 0;
    for (std::size_t p = 0; (p = html.find("<script", p)) != std::string::npos; ++p) ++scripts;
    EXPECT_EQ(scripts, 2u);
    const auto from = html.find("<script type=\"application/json\" id=\"pss-data\">");
    ASSERT_NE(from, std::string::npos);
    const auto body_from = html.find('>', from) + 1;
    const std::string data = html.substr(body_from, html.find("</script>", body_from) - body_from);
    EXPECT_EQ(data.find('<'), std::string::npos);
    const auto j = nlohmann::json::parse(data);
    EXPECT_EQ(j["tests"][0]["n"], pss::test::script_name);
    // No external resource of any kind: no src attribute, links only within the page.
    EXPECT_EQ(html.find(" src=\""), std::string::npos);
    for (std::size_t p = 0; (p = html.find("href=\"", p)) != std::string::npos; ++p)
        EXPECT_EQ(html[p + 6], '#') << html.substr(p, 40);
}

// The page carries every test's runs for the charts its script draws, and
// an overview that reads without the script.
TEST(Html, OverviewAndPerTestDataForTheCharts) {
    RunResults r = sample_report();
    r.tests[2].pss_trend = {90, 85, 80};
    const std::string html = render_run_html(r);
    EXPECT_NE(html.find("class=\"chart distribution\""), std::string::npos);
    EXPECT_NE(html.find("<title>PSS 30-39: 1 tests</title>"), std::string::npos);  // the failing test, PSS 34
    EXPECT_NE(html.find("<title>PSS 90-100: 1 tests</title>"), std::string::npos);
    EXPECT_NE(html.find(">1 flaky</text>"), std::string::npos);
    const auto from = html.find("<script type=\"application/json\" id=\"pss-data\">");
    const auto body_from = html.find('>', from) + 1;
    const auto j = nlohmann::json::parse(html.substr(body_from, html.find("</script>", body_from) - body_from));
    ASSERT_EQ(j["tests"].size(), 4u);
    const auto& flaky = j["tests"][1];
    EXPECT_EQ(flaky["n"], "Network.Retries");
    EXPECT_EQ(flaky["fl"], "0001001010");  // failed runs 4, 7 and 9
    EXPECT_EQ(flaky["d"].size(), 10u);
    EXPECT_DOUBLE_EQ(flaky["d"][0].get<double>(), 1200.0);  // microseconds
    EXPECT_EQ(flaky["fs"][0][0], 4);                        // runs counted from 1
    EXPECT_EQ(flaky["fs"][0][2], "tests/Network_test.cpp");  // relative to the repository
    EXPECT_EQ(j["tests"][2]["t"], nlohmann::json::parse("[90, 85, 80]"));
    EXPECT_EQ(j["tests"][2]["c"], -8);
}

// pss report --from re-renders from the JSON: every format must come out the
// same as when rendered from the run itself.
TEST(JsonRoundTrip, EveryFormatRendersIdentically) {
    for (const RunResults& original : {sample_report(), hostile_report()}) {
        const RunResults back = read_run_json(render_run_json(original));
        EXPECT_EQ(render_run_json(back), render_run_json(original));
        EXPECT_EQ(render_run_junit(back), render_run_junit(original));
        EXPECT_EQ(render_run_junit(back, {true}), render_run_junit(original, {true}));
        EXPECT_EQ(render_run_markdown(back), render_run_markdown(original));
        EXPECT_EQ(render_run_html(back), render_run_html(original));
        EXPECT_EQ(render_github_annotations(back), render_github_annotations(original));
        EXPECT_EQ(render_table(back, {}), render_table(original, {}));
    }
}

TEST(JsonReader, SaysWhatIsWrong) {
    auto error_of = [](const std::string& text) {
        try {
            read_run_json(text);
        } catch (const ReportFormatError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(error_of("{not json").find("not valid JSON"), std::string::npos);
    EXPECT_NE(error_of("[1,2]").find("no 'schema_version'"), std::string::npos);
    EXPECT_NE(error_of(R"({"schema_version": 99})").find("schema_version 99 is not supported"), std::string::npos);
    auto j = nlohmann::json::parse(render_run_json(sample_report()));
    j["tests"][1].erase("verdict");
    EXPECT_NE(error_of(j.dump()).find("tests[1]: missing field 'verdict'"), std::string::npos);
    j = nlohmann::json::parse(render_run_json(sample_report()));
    j["tests"][0]["runs"] = "ten";
    EXPECT_NE(error_of(j.dump()).find("tests[0]: field 'runs' has the wrong type"), std::string::npos);
    // A PSS is 0-100 (out of int range: see NumbersOutOfRange below).
    j = nlohmann::json::parse(render_run_json(sample_report()));
    j["pss"] = 500;
    EXPECT_NE(error_of(j.dump()).find("results: field 'pss' is a PSS, from 0 to 100, not 500"), std::string::npos);
}

// Found by fuzz/fuzz_results_json.cpp: numbers that do not fit the field
// were cast regardless (1e300 as the PSS read as -2147483648 after undefined
// behaviour; 2^32 + 100 wrapped to 100), and a number beyond a double escaped
// as nlohmann's out_of_range instead of a ReportFormatError.
TEST(JsonReader, NumbersOutOfTheirFieldsRangeAreErrors) {
    auto error_of = [](const nlohmann::json& j) {
        try {
            read_run_json(j.dump());
        } catch (const ReportFormatError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const auto sample = nlohmann::json::parse(render_run_json(sample_report()));
    auto j = sample;
    j["pss"] = 1e300;
    EXPECT_NE(error_of(j).find("results: field 'pss' is out of range (1e+300)"), std::string::npos) << error_of(j);
    j = sample;
    j["tests"][0]["pss"] = 4294967396;  // 2^32 + 100
    EXPECT_NE(error_of(j).find("tests[0]: field 'pss' is out of range (4294967396)"), std::string::npos);
    j = sample;
    j["tests"][0]["runs"] = -1.5;
    EXPECT_NE(error_of(j).find("tests[0]: field 'runs' is out of range"), std::string::npos);
    j = sample;
    j["tests"][2]["pss_trend"] = {90, 1e10};
    EXPECT_NE(error_of(j).find("tests[2]: field 'pss_trend' is out of range (10000000000.0)"), std::string::npos)
        << error_of(j);
    j = sample;
    j["tests"][0]["run_data"][0]["run"] = std::numeric_limits<std::int64_t>::min();  // minus 1 would overflow
    EXPECT_NE(error_of(j).find("tests[0].run_data[0]: field 'run' is out of range"), std::string::npos);
    j = sample;
    j["tests"][0]["failure_samples"][0]["run"] = std::numeric_limits<std::int64_t>::min();
    EXPECT_NE(error_of(j).find("tests[0].failure_samples[0]: field 'run' is out of range"), std::string::npos);

    std::string text = render_run_json(sample_report());
    text.replace(text.find("\"pss\": "), 0, "\"big\": 1e400, ");
    EXPECT_THROW(read_run_json(text), ReportFormatError);

    // The edges themselves still read.
    j = sample;
    j["run"]["seed"] = 4294967295u;
    j["tests"][0]["line"] = std::numeric_limits<std::int64_t>::max();
    j["tests"][0]["pss"] = 34.0;  // a whole double is the number it names
    const RunResults edges = read_run_json(j.dump());
    EXPECT_EQ(edges.meta.seed, 4294967295u);
    EXPECT_EQ(edges.tests[0].lineno, std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(edges.tests[0].score.pss, 34);
}

// Found by fuzz_results_json (the long run): a schema 2 file (runs from 0)
// with run 9223372036854775807 read fine, and every renderer then showed it
// as run + 1: signed overflow. A trace file's "run" reaches the same code.
TEST(Renderers, TheLargestRunIsShownWithoutOverflow) {
    RunResults r = sample_report();
    TestResult& flaky = r.tests[1];
    ASSERT_FALSE(flaky.series.empty());
    ASSERT_FALSE(flaky.failure_samples.empty());
    constexpr auto largest = std::numeric_limits<std::int64_t>::max();
    flaky.series.back().run = largest;
    flaky.series.back().failed = true;
    flaky.failure_samples[0].run = largest;
    const std::string json = render_run_json(r);
    EXPECT_NE(json.find("\"run\": 9223372036854775807"), std::string::npos);
    EXPECT_NE(render_run_junit(r).find("run 9223372036854775807"), std::string::npos);
    EXPECT_NE(render_run_html(r).find("9223372036854775807"), std::string::npos);
    EXPECT_NO_THROW(read_run_json(json));
}

TEST(JsonReader, IgnoresUnknownFields) {
    auto j = nlohmann::json::parse(render_run_json(sample_report()));
    j["future_field"] = {1, 2};
    j["tests"][0]["future"] = "x";
    EXPECT_EQ(read_run_json(j.dump()).tests.size(), 4u);
}

TEST(Markdown, StaysUnderGithubsJobSummaryLimitForHugeSuites) {
    RunResults big = sample_report();
    const TestResult flaky = big.tests[1];
    big.tests.clear();
    for (int i = 0; i < 3000; ++i) {
        big.tests.push_back(flaky);
        big.tests.back().name = "Suite.VeryLongTestNameThatGoesOnAndOn_" + std::to_string(i) + std::string(80, 'x');
    }
    const std::string md = render_run_markdown(big);
    EXPECT_LT(md.size(), 1024u * 1024u);
    EXPECT_NE(md.find("and 2700 more; the HTML and JSON reports list them all."), std::string::npos);
    EXPECT_NE(md.find("and 2000 more; the HTML and JSON reports list them all."), std::string::npos);
    expect_tables_intact(md);
}
