// The HTML report in a real browser (headless Chromium): the page's script
// runs (so the CSP hash is right) and draws the table and a test's charts;
// no script smuggled in through test names or messages does; and a report
// of 5,000 tests x 100 runs opens and is clicked through as a person would
// (playwright-core driving the machine's Chromium).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <regex>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "render.hpp"
#include "sample_reports.hpp"

namespace {

constexpr const char* chromium = "/usr/bin/chromium";

class HtmlInChromium : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::exists(chromium))
            GTEST_SKIP() << chromium << " is missing (Debian package chromium; ./setup.sh test installs it)";
        dir_ = pss::test::make_temp_dir("pss-html");
    }
    void TearDown() override {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    // The DOM after the page's scripts ran, as Chromium serialises it.
    std::string dump_dom(const std::string& html, const std::string& fragment = "") {
        const std::string file = dir_ + "/report.html";
        pss::test::write_file(file, html);
        pss::test::ProcessOptions o;
        o.env["HOME"] = dir_;
        o.timeout_seconds = 90;
        const auto r = pss::test::run_process(
            {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + dir_ + "/profile",
             "--dump-dom", "file://" + file + fragment},
            o);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }

    static std::size_t count(const std::string& text, const std::string& needle) {
        std::size_t n = 0;
        for (std::size_t p = 0; (p = text.find(needle, p)) != std::string::npos; p += needle.size()) ++n;
        return n;
    }

    // Test names in table order, read from the row links.
    static std::vector<std::string> row_names(const std::string& dom) {
        std::vector<std::string> out;
        const std::regex link(R"re(<a data-test="\d+" href="#test=\d+">([^<]*)</a>)re");
        for (auto it = std::sregex_iterator(dom.begin(), dom.end(), link); it != std::sregex_iterator(); ++it)
            out.push_back((*it)[1]);
        return out;
    }

    std::string dir_;
};

// Names that would mark the page if their markup ever ran.
pss::RunResults booby_trapped_report() {
    auto report = pss::test::hostile_report();
    auto trap = report.tests.front();
    trap.name = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">";
    report.tests.push_back(trap);
    trap.name = "<script>document.documentElement.setAttribute('data-pwned','script')</script>";
    trap.failure_samples.front().message = "</script><script>document.documentElement.setAttribute('data-pwned','msg')"
                                           "</script>";
    report.tests.push_back(trap);
    return report;
}

// `tests` tests of `runs` runs: a flaky test every 7th, an unstable one every
// 11th, the rest stable; each with history.
pss::RunResults large_report(std::size_t tests, std::size_t runs) {
    pss::RunResults r = pss::test::sample_report();
    const pss::TestResult flaky = r.tests[1], unstable = r.tests[2], stable = r.tests[3];
    r.tests.clear();
    for (std::size_t i = 0; i < tests; ++i) {
        pss::TestResult t = i % 7 == 0 ? flaky : i % 11 == 0 ? unstable : stable;
        t.quarantined = false;
        t.name = "Suite" + std::to_string(i / 100) + ".Test_" + std::to_string(i);
        t.module = "Suite" + std::to_string(i / 100);
        t.series.clear();
        for (std::size_t k = 0; k < runs; ++k)
            t.series.push_back({static_cast<std::int64_t>(k), 0.001 + 1e-6 * static_cast<double>((k * 37 + i) % 500),
                                4096.0 + static_cast<double>(k % 3) * 64, t.failures > 0 && k % 13 == 3, false});
        t.runs = runs;
        t.score.pss = static_cast<int>(40 + (i * 7919) % 61);
        t.pss_trend = {t.score.pss, t.score.pss - 3, t.score.pss + 2};
        r.tests.push_back(std::move(t));
    }
    pss::sort_worst_first(r.tests);
    pss::mark_gate_failures(r.tests, pss::GatePolicy{});
    r.overall = pss::aggregate(r.tests);
    r.summary = pss::summarize(r.tests, r.overall);
    return r;
}

}  // namespace

TEST_F(HtmlInChromium, TableAndDetailRenderAndNoScriptFromTheDataRuns) {
    const auto report = booby_trapped_report();
    const std::size_t trap = report.tests.size() - 1;
    const std::string dom = dump_dom(pss::test::render_run_html(report), "#test=" + std::to_string(trap));
    ASSERT_NE(dom.find("<table id=\"tests\""), std::string::npos) << dom.substr(0, 2000);
    // Our own script ran: the page allows it by hash and it marks the page ready.
    EXPECT_NE(dom.find("data-pss-ready=\"1\""), std::string::npos);
    EXPECT_EQ(dom.find("data-pwned=\""), std::string::npos) << "a script from the data ran";
    EXPECT_EQ(count(dom, "<tr class=\"test-row\""), report.tests.size());
    // The opened test's charts were drawn on demand.
    for (const char* chart : {"class=\"chart duration\"", "class=\"chart memory\"", "class=\"chart timeline\"",
                              "class=\"chart subscores\""})
        EXPECT_EQ(count(dom, chart), 1u) << chart;
    EXPECT_EQ(count(dom, "<polyline"), 2u);
    // Hostile names are text in the DOM, not elements.
    EXPECT_NE(dom.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"x\""), std::string::npos);
    EXPECT_EQ(dom.find("<script>alert"), std::string::npos);
    EXPECT_EQ(dom.find("<img"), std::string::npos);
}

TEST_F(HtmlInChromium, TableSortsByColumn) {
    const std::string dom = dump_dom(pss::test::render_run_html(pss::test::sample_report()), "#sort=pss:desc");
    const std::vector<std::string> by_pss_descending = {"Network.Parses", "Parser.LargeInput", "Network.Retries",
                                                        "Parser.RejectsEmpty"};
    EXPECT_EQ(row_names(dom), by_pss_descending);
    EXPECT_NE(dom.find("aria-sort=\"descending\""), std::string::npos);
}

TEST_F(HtmlInChromium, FiveThousandTestsOfAHundredRunsOpenAndAreClickedThrough) {
    const std::string modules = PSS_NPM_MODULES;
    if (!std::filesystem::exists(modules + "/playwright-core"))
        GTEST_SKIP() << "playwright-core is missing in " << modules << " (./setup.sh test installs it from npm)";
    const auto report = large_report(5000, 100);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string html = pss::test::render_run_html(report);
    const double render_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const std::string file = dir_ + "/large.html";
    pss::test::write_file(file, html);

    pss::test::ProcessOptions o;
    o.env["NODE_PATH"] = modules;
    o.env["HOME"] = dir_;
    o.timeout_seconds = 240;
    const auto r = pss::test::run_process({"node", CLICK_REPORT_JS, file}, o);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto seen = nlohmann::json::parse(r.out);
    EXPECT_EQ(seen["errors"].size(), 0u) << seen["errors"];
    EXPECT_EQ(seen["rows"], 100);  // one page of rows, not 5,000
    EXPECT_EQ(seen["pageInfo"], "tests 1\xE2\x80\x93" "100 of 5000 (page 1 of 50)");
    EXPECT_EQ(seen["firstPssDescending"], 100);
    std::size_t flaky = 0;
    for (const auto& t : report.tests) flaky += t.verdict == pss::Verdict::flaky;
    EXPECT_EQ(seen["flakyInfo"], "tests 1\xE2\x80\x93" "100 of " + std::to_string(flaky) + " (page 1 of " +
                                     std::to_string((flaky + 99) / 100) + ")");
    EXPECT_EQ(seen["secondPage"].get<std::string>().rfind("tests 101\xE2\x80\x93", 0), 0u) << seen["secondPage"];
    EXPECT_EQ(seen["detailTitle"], seen["clicked"]);
    EXPECT_EQ(seen["detailCharts"], 5);  // sub-scores, duration, memory, timeline, PSS trend
    EXPECT_EQ(seen["trend"], 1);
    EXPECT_GT(seen["failedDots"].get<int>(), 0);
    EXPECT_EQ(seen["detailHidden"], true);
    EXPECT_EQ(seen["noMatch"], "no test matches");
    // Measured, not asserted: sizes and times for the README.
    std::cout << "HTML for 5,000 tests x 100 runs: " << html.size() / 1024 << " KiB, rendered in " << render_s
              << " s; ready in Chromium after " << seen["openMs"] << " ms, a test's details in " << seen["detailMs"]
              << " ms\n";
}
