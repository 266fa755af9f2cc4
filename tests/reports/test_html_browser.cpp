// The HTML report in a real browser (headless Chromium): the table and the
// charts render, the sorting script runs (so the CSP hash is right), and no
// script smuggled in through test names or messages does.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

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

}  // namespace

TEST_F(HtmlInChromium, TableAndChartsRenderAndNoScriptFromTheDataRuns) {
    const auto report = booby_trapped_report();
    const std::string dom = dump_dom(pss::test::render_run_html(report));
    ASSERT_NE(dom.find("<table id=\"tests\""), std::string::npos) << dom.substr(0, 2000);
    // Our own script ran: the page allows it by hash and it marks the page ready.
    EXPECT_NE(dom.find("data-pss-ready=\"1\""), std::string::npos);
    EXPECT_EQ(dom.find("data-pwned=\""), std::string::npos) << "a script from the data ran";
    EXPECT_EQ(count(dom, "<tr class=\"test-row\""), report.tests.size());
    for (const char* chart : {"class=\"chart duration\"", "class=\"chart memory\"", "class=\"chart timeline\"",
                              "class=\"chart subscores\""})
        EXPECT_EQ(count(dom, chart), report.tests.size()) << chart;
    EXPECT_EQ(count(dom, "<polyline"), 2 * report.tests.size());
    // The hostile name is text in the DOM, not an element.
    EXPECT_NE(dom.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"x\""), std::string::npos);
    EXPECT_EQ(dom.find("<script>alert"), std::string::npos);
    EXPECT_EQ(dom.find("<img"), std::string::npos);
}

TEST_F(HtmlInChromium, TableSortsByColumn) {
    const std::string dom = dump_dom(pss::test::render_run_html(pss::test::sample_report()), "#sort=pss:desc");
    // Test names in table order, read from the row links.
    std::vector<std::string> order;
    const std::regex row(R"re(<tr class="test-row"><td class="name" data-v="([^"]*)")re");
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), row); it != std::sregex_iterator(); ++it)
        order.push_back((*it)[1]);
    const std::vector<std::string> by_pss_descending = {"Network.Parses", "Parser.LargeInput", "Network.Retries",
                                                        "Parser.RejectsEmpty"};
    EXPECT_EQ(order, by_pss_descending);
    EXPECT_NE(dom.find("aria-sort=\"descending\""), std::string::npos);
}
