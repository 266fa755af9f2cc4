// The HTML report: one self-contained page that opens offline and opens
// fast at any size. What reads without a script is rendered here: the run's
// cards and an overview across tests (the PSS distribution and the verdict
// counts, as inline SVG). The table and each test's charts are drawn by the
// page's one script from the embedded data (html_data.cpp), a page of rows
// at a time and a test's details when it is opened. A Content-Security-Policy
// allows exactly that script (by its hash) and no other script, style
// source or fetch, so even data that slipped past the escaping could not run.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "html_assets.hpp"
#include "html_data.hpp"
#include "pss/text/escape.hpp"
#include "pss/text/format.hpp"
#include "renderers.hpp"
#include "report_util.hpp"
#include "sha256.hpp"

namespace pss::reports {

using text::html_text;

namespace {

std::string card(const std::string& cls, const std::string& label, const std::string& value, const std::string& sub) {
    return fmt::format("<div class=\"card {}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>{}</div>\n",
                       cls, html_text(label), html_text(value),
                       sub.empty() ? "" : "<div class=\"sub\">" + html_text(sub) + "</div>");
}

// How many tests score 0-9, 10-19, ..., 90-100: bars coloured by where they
// stand against the threshold.
std::string pss_distribution(const RunResults& report) {
    std::array<std::size_t, 10> bins{};
    for (const auto& t : report.tests) ++bins[static_cast<std::size_t>(std::clamp(t.score.pss, 0, 100) / 10 - (t.score.pss >= 100))];
    const std::size_t most = std::max<std::size_t>(1, *std::max_element(bins.begin(), bins.end()));
    constexpr double w = 360, h = 150, left = 8, bottom = 20, top = 16, bar = (w - 2 * left) / 10;
    std::string out = fmt::format("<svg class=\"chart distribution\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                                  "role=\"img\" aria-label=\"PSS distribution across tests\">",
                                  w, h);
    for (std::size_t i = 0; i < bins.size(); ++i) {
        const double bh = (h - top - bottom) * static_cast<double>(bins[i]) / static_cast<double>(most);
        const int low = static_cast<int>(i) * 10;
        const char* colour = low + 9 < 50 ? "#cf222e" : low + 9 < report.meta.fail_below ? "#d4a72c" : "#2da44e";
        const double x = left + bar * static_cast<double>(i);
        out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>PSS {}-{}: "
                           "{} tests</title></rect>",
                           x + 1, h - bottom - bh, bar - 2, bh, colour, low, low == 90 ? 100 : low + 9, bins[i]);
        if (bins[i]) out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", x + bar / 2,
                                        h - bottom - bh - 3, bins[i]);
        out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>", x + bar / 2, h - 6, low);
    }
    return out + "</svg>";
}

// One bar split by verdict, with the counts.
std::string verdict_counts(const RunSummary& s) {
    const std::pair<const char*, std::pair<std::uint64_t, const char*>> parts[] = {
        {"failing", {s.failing, "#cf222e"}},     {"flaky", {s.flaky, "#8250df"}},
        {"regressed", {s.regressed, "#bf3989"}}, {"unstable", {s.unstable, "#d4a72c"}},
        {"n/a", {s.not_applicable, "#8c959f"}},  {"stable", {s.stable, "#2da44e"}}};
    constexpr double w = 360, bar_w = 344;
    std::string out = fmt::format("<svg class=\"chart verdicts\" width=\"{0}\" height=\"150\" viewBox=\"0 0 {0} 150\" "
                                  "role=\"img\" aria-label=\"verdict counts\">",
                                  w);
    double x = 8;
    int row = 0;
    for (const auto& [name, count_colour] : parts) {
        const auto [count, colour] = count_colour;
        const double width = s.tests ? bar_w * static_cast<double>(count) / static_cast<double>(s.tests) : 0;
        if (width > 0) out += fmt::format("<rect x=\"{:.1f}\" y=\"8\" width=\"{:.1f}\" height=\"22\" fill=\"{}\"/>", x, width, colour);
        x += width;
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{} {}</text>",
                           8 + 180 * (row % 2), 44 + 18 * (row / 2), colour, 22 + 180 * (row % 2), 53 + 18 * (row / 2),
                           count, name);
        ++row;
    }
    return out + "</svg>";
}

}  // namespace

std::string render_html(const RunResults& report, const RenderOptions&) {
    const auto& m = report.meta;
    const auto& s = report.summary;
    const bool passed = report.gate.exit_code == 0;
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                       "'unsafe-inline'; script-src 'sha256-{}'; img-src data:\">\n",
                       sha256_base64(html_assets::script));
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += fmt::format("<title>pss report \xE2\x80\x94 PSS {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                       report.overall.pss, html_assets::style);

    std::string meta_line = fmt::format("{} \xC2\xB7 {} \xC2\xB7 {} runs per test", text::iso8601_utc(m.started_at),
                                        m.host.empty() ? "unknown host" : m.host, m.repeat);
    if (!m.git_commit.empty())
        meta_line += " \xC2\xB7 commit " + m.git_commit.substr(0, 12) + (m.git_branch.empty() ? "" : " (" + m.git_branch + ")");
    if (!m.pss_version.empty()) meta_line += " \xC2\xB7 pss " + m.pss_version;
    out += "<header><h1>pss report</h1><p class=\"meta\">" + html_text(meta_line) + "</p></header>\n";

    out += "<section class=\"cards\">\n";
    out += card(passed ? "pass" : "fail", "Gate", passed ? "passed" : "failed", report.gate.reason);
    std::string overall_sub = report.mean_pss != report.overall.pss
                                  ? fmt::format("mean of the tests {}; capped by the tests that fail the gate", report.mean_pss)
                                  : "";
    if (report.baseline_pss)
        overall_sub += fmt::format("{}{} against {}", overall_sub.empty() ? "" : "; ",
                                   format_change(report.baseline_pss, report.overall.pss),
                                   report.baseline_branch.empty() ? "the baseline" : report.baseline_branch);
    out += card("", "Overall PSS", std::to_string(report.overall.pss), overall_sub);
    out += card("", "Tests", std::to_string(s.tests), "");
    out += card(s.stable == s.tests ? "pass" : "", "Stable", std::to_string(s.stable), "");
    out += card(s.flaky ? "fail" : "", "Flaky", std::to_string(s.flaky), "");
    out += card(s.failing ? "fail" : "", "Failing", std::to_string(s.failing), "");
    out += card(s.unstable ? "fail" : "", "Unstable", std::to_string(s.unstable), "");
    if (s.regressed) out += card("fail", "Regressed", std::to_string(s.regressed), "");
    if (s.quarantined) out += card("", "Quarantined", std::to_string(s.quarantined), "");
    out += "</section>\n";
    for (const auto& n : report.notes) out += "<p class=\"meta\">note: " + html_text(n) + "</p>\n";

    out += "<h2>Overview</h2>\n<section class=\"overview\">\n";
    out += "<figure><figcaption>PSS across tests</figcaption>" + pss_distribution(report) + "</figure>\n";
    out += "<figure><figcaption>Verdicts</figcaption>" + verdict_counts(s) + "</figure>\n</section>\n";

    out += "<h2>Tests</h2>\n<noscript><p>The table and each test's charts are drawn by this page's script; "
           "turn JavaScript on, or read the same results from pss-run --json.</p></noscript>\n";
    out += "<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter by name or suite\" "
           "aria-label=\"filter tests\"><select id=\"verdict\" aria-label=\"verdict\"><option value=\"\">all "
           "verdicts</option>";
    for (const char* v : {"failing", "flaky", "regressed", "unstable", "n/a", "stable"})
        out += fmt::format("<option value=\"{0}\">{0}</option>", v);
    out += "</select><button id=\"prev\" type=\"button\">Previous</button><button id=\"next\" type=\"button\">Next"
           "</button><span id=\"page-info\"></span></div>\n";
    out += "<section class=\"test\" id=\"detail\" hidden></section>\n";
    out += "<table id=\"tests\">\n<thead><tr>"
           "<th data-key=\"name\">Test</th><th data-key=\"suite\">Suite</th>"
           "<th data-key=\"verdict\">Verdict</th><th data-key=\"pss\">PSS</th>"
           "<th data-key=\"change\">Change</th><th data-key=\"runs\">Runs</th>"
           "<th data-key=\"pass\">Pass rate</th><th data-key=\"p50\">p50</th>"
           "<th data-key=\"p95\">p95</th><th data-key=\"memory\">Peak heap</th><th data-key=\"notes\">Notes</th>"
           "</tr></thead>\n<tbody></tbody>\n</table>\n";

    // Inert data for the script and for tools that read the page: never markup.
    out += "<script type=\"application/json\" id=\"pss-data\">" + html_data(report) + "</script>\n";
    out += fmt::format("<script>{}</script>\n</body>\n</html>\n", html_assets::script);
    return out;
}

}  // namespace pss::reports
