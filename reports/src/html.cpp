// The HTML report: one self-contained page that opens offline. Everything
// is rendered here (table, inline SVG charts), so the page reads without
// JavaScript; the one inline script only sorts the table. A
// Content-Security-Policy allows exactly that script (by its hash) and no
// other script, style source or fetch, so even data that slipped past the
// escaping could not run.
#include <algorithm>

#include <fmt/format.h>

#include "pss/text/escape.hpp"
#include "pss/text/format.hpp"
#include "renderers.hpp"
#include "report_util.hpp"
#include "sha256.hpp"

namespace pss::reports {

using text::format_bytes;
using text::format_seconds;
using text::html_text;

namespace {

constexpr const char* style = R"CSS(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:0 0 4px;overflow-wrap:anywhere}
.meta{color:#59636e;margin:0 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #d1d9e0;border-radius:8px;padding:10px 14px;min-width:110px}
.card .label{color:#59636e;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:600}.card .sub{color:#59636e;font-size:12px;max-width:380px}
.pass .value{color:#1a7f37}.fail .value{color:#cf222e}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #d1d9e0;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f6f8fa;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.name{overflow-wrap:anywhere;min-width:14em}
.v-failing{color:#cf222e;font-weight:600}.v-flaky,.v-regressed{color:#8250df;font-weight:600}.v-unstable{color:#9a6700}.v-stable{color:#1a7f37}
.test{border:1px solid #d1d9e0;border-radius:8px;padding:12px;margin:12px 0}
.charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-size:12px;color:#59636e}
svg text{font:10px sans-serif;fill:#59636e}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:8px;border-radius:6px;max-height:320px;overflow:auto}
)CSS";

// Sorts the table by a clicked column (or by #sort=KEY[:desc] in the URL);
// reads only data-v attributes the renderer wrote. Marks the page ready.
constexpr const char* script = R"JS(
(function () {
  'use strict';
  var table = document.getElementById('tests');
  var heads = table.tHead.rows[0].cells;
  var body = table.tBodies[0];
  function sortBy(col, desc) {
    var numeric = heads[col].getAttribute('data-type') === 'number';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
      var c = numeric ? parseFloat(x) - parseFloat(y) : (x < y ? -1 : x > y ? 1 : 0);
      return desc ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; ++i) heads[i].removeAttribute('aria-sort');
    heads[col].setAttribute('aria-sort', desc ? 'descending' : 'ascending');
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    th.tabIndex = 0;
    function toggle() { sortBy(col, th.getAttribute('aria-sort') === 'ascending'); }
    th.addEventListener('click', toggle);
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); }
    });
  });
  var m = /^#sort=([a-z0-9_]+)(:desc)?$/.exec(location.hash);
  if (m) {
    for (var i = 0; i < heads.length; ++i)
      if (heads[i].getAttribute('data-key') === m[1]) sortBy(i, !!m[2]);
  }
  document.documentElement.setAttribute('data-pss-ready', '1');
})();
)JS";

constexpr double chart_w = 320, chart_h = 110, pad_l = 52, pad_r = 8, pad_t = 10, pad_b = 18;
constexpr std::size_t max_points = 300;  // longer series are bucketed (max per bucket)

struct Point {
    double value;
    bool failed;
};

// At most max_points points: each bucket keeps its largest value and whether any run in it failed.
std::vector<Point> bucketed(const std::vector<double>& values, const std::vector<bool>& failed) {
    std::vector<Point> out;
    const std::size_t n = values.size();
    const std::size_t buckets = std::min(n, max_points);
    for (std::size_t b = 0; b < buckets; ++b) {
        const std::size_t from = b * n / buckets, to = (b + 1) * n / buckets;
        Point p{0, false};
        for (std::size_t i = from; i < to; ++i) {
            p.value = std::max(p.value, values[i]);
            p.failed = p.failed || (i < failed.size() && failed[i]);
        }
        out.push_back(p);
    }
    return out;
}

std::string svg_open(const char* cls, const std::string& label) {
    return fmt::format("<svg class=\"chart {}\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
                       "aria-label=\"{}\">",
                       cls, chart_w, chart_h, chart_w, chart_h, html_text(label));
}

// A line of values over runs; failed runs are red dots.
std::string line_chart(const char* cls, const std::string& label, const std::vector<double>& values,
                       const std::vector<bool>& failed, std::string (*format)(double)) {
    std::string out = svg_open(cls, label);
    const auto points = bucketed(values, failed);
    double top = 0;
    for (const auto& p : points) top = std::max(top, p.value);
    const bool all_zero = top <= 0;
    if (all_zero) top = 1;  // a flat line at the bottom
    const double plot_w = chart_w - pad_l - pad_r, plot_h = chart_h - pad_t - pad_b;
    const auto n = static_cast<double>(points.size());
    auto x = [&](std::size_t i) { return pad_l + (n > 1 ? plot_w * static_cast<double>(i) / (n - 1) : plot_w / 2); };
    auto y = [&](double v) { return pad_t + plot_h * (1 - v / top); };
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2:.1f}\" stroke=\"#d1d9e0\"/>", pad_l, pad_t,
                       pad_t + plot_h);
    out += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#d1d9e0\"/>", pad_l,
                       pad_t + plot_h, pad_l + plot_w);
    if (!all_zero)
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", pad_l - 4, pad_t + 8,
                           html_text(format(top)));
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">0</text>", pad_l - 4, pad_t + plot_h);
    out += fmt::format("<text x=\"{}\" y=\"{}\">run 1</text><text x=\"{:.1f}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                       pad_l, chart_h - 4, pad_l + plot_w, chart_h - 4, values.size());
    std::string polyline;
    for (std::size_t i = 0; i < points.size(); ++i) polyline += fmt::format("{:.1f},{:.1f} ", x(i), y(points[i].value));
    out += fmt::format("<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\" points=\"{}\"/>", polyline);
    for (std::size_t i = 0; i < points.size(); ++i)
        if (points[i].failed)
            out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#cf222e\"/>", x(i), y(points[i].value));
    return out + "</svg>";
}

std::vector<bool> failed_runs(const TestResult& t) {
    std::vector<bool> out;
    for (const auto& p : t.series) out.push_back(p.failed);
    return out;
}

std::vector<double> series_of(const TestResult& t, double RunPoint::*field) {
    std::vector<double> out;
    for (const auto& p : t.series) out.push_back(p.*field);
    return out;
}

std::string seconds_label(double s) { return format_seconds(s); }

// One cell per run: green passed, red failed.
std::string failure_timeline(const TestResult& t) {
    std::string out = svg_open("timeline", fmt::format("failure timeline: {} of {} runs failed", t.failures, t.runs));
    const auto failed = failed_runs(t);
    const auto points = bucketed(std::vector<double>(failed.size(), 0.0), failed);
    const double plot_w = chart_w - pad_l - pad_r, cell = points.empty() ? 0 : plot_w / static_cast<double>(points.size());
    out += fmt::format("<text x=\"{}\" y=\"44\" text-anchor=\"end\">runs</text>", pad_l - 4);
    for (std::size_t i = 0; i < points.size(); ++i)
        out += fmt::format("<rect x=\"{:.2f}\" y=\"30\" width=\"{:.2f}\" height=\"20\" fill=\"{}\"/>", pad_l + cell * static_cast<double>(i),
                           std::max(cell - (cell > 3 ? 1.0 : 0.0), 0.5), points[i].failed ? "#cf222e" : "#2da44e");
    out += fmt::format("<text x=\"{}\" y=\"70\">{} passed, {} failed</text>", pad_l, t.runs - t.failures, t.failures);
    return out + "</svg>";
}

std::string subscore_bars(const SubScores& b) {
    const std::pair<const char*, double> rows[] = {{"timing", b.timing_stability},
                                                   {"memory", b.memory_stability},
                                                   {"errors", b.error_volatility},
                                                   {"branching", b.branching_entropy},
                                                   {"concurrency", b.concurrency_chaos}};
    std::string out = svg_open("subscores", "the five sub-scores");
    constexpr double label_w = 72;  // room for "concurrency"
    const double bar_w = chart_w - label_w - 44;
    for (std::size_t i = 0; i < 5; ++i) {
        const double v = std::clamp(rounded_subscore(rows[i].second), 0.0, 1.0), y = 6 + 20.0 * static_cast<double>(i);
        out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", label_w - 4, y + 11, rows[i].first);
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"14\" fill=\"#eaeef2\"/>", label_w, y, bar_w);
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"14\" fill=\"{}\"/>", label_w, y, bar_w * v,
                           v >= 0.8 ? "#2da44e" : v >= 0.5 ? "#d4a72c" : "#cf222e");
        out += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{:.2f}</text>", label_w + bar_w + 4, y + 11, v);
    }
    return out + "</svg>";
}

std::string bytes_label(double b) { return format_bytes(b); }

std::string card(const std::string& cls, const std::string& label, const std::string& value, const std::string& sub) {
    return fmt::format("<div class=\"card {}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>{}</div>\n",
                       cls, html_text(label), html_text(value),
                       sub.empty() ? "" : "<div class=\"sub\">" + html_text(sub) + "</div>");
}

std::string table_row(const TestResult& t, std::size_t index) {
    const auto baseline = t.baseline_pss;
    const std::string verdict(to_string(t.verdict));
    std::string row = "<tr class=\"test-row\">";
    row += fmt::format("<td class=\"name\" data-v=\"{0}\"><a href=\"#test-{1}\">{0}</a>{2}</td>", html_text(t.name),
                       index, t.quarantined ? " <small>(quarantined)</small>" : "");
    row += fmt::format("<td data-v=\"{0}\">{0}</td>", html_text(t.module));
    row += fmt::format("<td class=\"v-{0}\" data-v=\"{1}\">{0}</td>", html_text(verdict), severity_rank(t.verdict));
    row += fmt::format("<td class=\"num\" data-v=\"{0}\">{0}</td>", t.score.pss);
    row += fmt::format("<td class=\"num\" data-v=\"{}\">{}</td>", baseline ? t.score.pss - *baseline : 0,
                       html_text(format_change(baseline, t.score.pss)));
    row += fmt::format("<td class=\"num\" data-v=\"{0}\">{0}</td>", t.runs);
    row += fmt::format("<td class=\"num\" data-v=\"{:.6f}\">{:.0f}%</td>", t.pass_rate(), 100 * t.pass_rate());
    row += fmt::format("<td class=\"num\" data-v=\"{:.9g}\">{}</td>", t.duration.p50, format_duration(t, t.duration.p50));
    row += fmt::format("<td class=\"num\" data-v=\"{:.9g}\">{}</td>", t.duration.p95, format_duration(t, t.duration.p95));
    row += fmt::format("<td class=\"num\" data-v=\"{:.0f}\">{}</td>", t.memory_peak, format_bytes(t.memory_peak));
    std::string notes;
    for (const auto& o : t.observations) notes += (notes.empty() ? "" : "; ") + o.text;
    row += fmt::format("<td data-v=\"{0}\">{0}</td></tr>\n", html_text(notes));
    return row;
}

std::string test_section(const TestResult& t, std::size_t index) {
    std::string out = fmt::format("<section class=\"test\" id=\"test-{}\">\n<h3>{}</h3>\n", index, html_text(t.name));
    std::string where = t.module;
    if (!t.binary.empty()) where += " \xC2\xB7 " + t.binary;
    if (!t.filename.empty()) where += fmt::format(" \xC2\xB7 {}:{}", t.filename, t.lineno);
    out += fmt::format("<p class=\"meta\">{} \xC2\xB7 <span class=\"v-{}\">{}</span> \xC2\xB7 PSS {} \xC2\xB7 {} of {} "
                       "runs failed</p>\n",
                       html_text(where), to_string(t.verdict), to_string(t.verdict), t.score.pss, t.failures, t.runs);
    out += "<div class=\"charts\">\n";
    out += "<figure><figcaption>Sub-scores</figcaption>" + subscore_bars(t.score.breakdown) + "</figure>\n";
    out += "<figure><figcaption>Duration over runs</figcaption>" +
           line_chart("duration", "duration over runs", series_of(t, &RunPoint::duration), failed_runs(t),
                      seconds_label) +
           "</figure>\n";
    out += "<figure><figcaption>Memory over runs (peak heap)</figcaption>" +
           line_chart("memory", "memory over runs", series_of(t, &RunPoint::memory), failed_runs(t), bytes_label) +
           "</figure>\n";
    out += "<figure><figcaption>Failure timeline</figcaption>" + failure_timeline(t) + "</figure>\n";
    out += "</div>\n";
    for (const auto& o : t.observations) out += "<p>" + html_text(o.text) + "</p>\n";
    for (const auto& f : t.failure_samples) {
        std::string summary = fmt::format("run {}: {}", f.run + 1, f.type);
        if (!f.file.empty()) summary += fmt::format(" at {}:{}", f.file, f.line);
        out += fmt::format("<details class=\"failure\"><summary>{}</summary><pre>{}</pre>", html_text(summary),
                           html_text(f.message));
        if (!f.output.empty()) out += fmt::format("<pre>{}</pre>", html_text(f.output));
        out += "</details>\n";
    }
    return out + "</section>\n";
}

}  // namespace

std::string render_html(const RunResults& report, const RenderOptions& options) {
    const auto& m = report.meta;
    const auto& s = report.summary;
    const bool passed = report.gate.exit_code == 0;
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                       "'unsafe-inline'; script-src 'sha256-{}'; img-src data:\">\n",
                       sha256_base64(script));
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += fmt::format("<title>pss report \xE2\x80\x94 PSS {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                       s.overall_pss, style);

    std::string meta_line = fmt::format("{} \xC2\xB7 {} \xC2\xB7 {} runs per test", text::iso8601_utc(m.started_at),
                                        m.host.empty() ? "unknown host" : m.host, m.repeat);
    if (!m.git_commit.empty())
        meta_line += " \xC2\xB7 commit " + m.git_commit.substr(0, 12) + (m.git_branch.empty() ? "" : " (" + m.git_branch + ")");
    if (!m.pss_version.empty()) meta_line += " \xC2\xB7 pss " + m.pss_version;
    out += "<header><h1>pss report</h1><p class=\"meta\">" + html_text(meta_line) + "</p></header>\n";

    out += "<section class=\"cards\">\n";
    out += card(passed ? "pass" : "fail", "Gate", passed ? "passed" : "failed", report.gate.reason);
    out += card("", "Overall PSS", std::to_string(s.overall_pss), "");
    out += card("", "Tests", std::to_string(s.tests), "");
    out += card(s.stable == s.tests ? "pass" : "", "Stable", std::to_string(s.stable), "");
    out += card(s.flaky ? "fail" : "", "Flaky", std::to_string(s.flaky), "");
    out += card(s.failing ? "fail" : "", "Failing", std::to_string(s.failing), "");
    out += card(s.unstable ? "fail" : "", "Unstable", std::to_string(s.unstable), "");
    if (s.regressed) out += card("fail", "Regressed", std::to_string(s.regressed), "");
    if (s.quarantined) out += card("", "Quarantined", std::to_string(s.quarantined), "");
    out += "</section>\n";
    for (const auto& n : report.notes) out += "<p class=\"meta\">note: " + html_text(n) + "</p>\n";

    out += "<h2>Tests</h2>\n<table id=\"tests\">\n<thead><tr>"
           "<th data-key=\"name\">Test</th><th data-key=\"suite\">Suite</th>"
           "<th data-key=\"verdict\" data-type=\"number\">Verdict</th><th data-key=\"pss\" data-type=\"number\">PSS</th>"
           "<th data-key=\"change\" data-type=\"number\">Change</th><th data-key=\"runs\" data-type=\"number\">Runs</th>"
           "<th data-key=\"pass\" data-type=\"number\">Pass rate</th><th data-key=\"p50\" data-type=\"number\">p50</th>"
           "<th data-key=\"p95\" data-type=\"number\">p95</th><th data-key=\"memory\" data-type=\"number\">Peak "
           "heap</th><th data-key=\"notes\">Notes</th></tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < report.tests.size(); ++i) out += table_row(report.tests[i], i);
    out += "</tbody>\n</table>\n<h2>Per test</h2>\n";
    for (std::size_t i = 0; i < report.tests.size(); ++i) out += test_section(report.tests[i], i);

    // The results themselves, for tools that read the page: inert data, never script.
    out += "<script type=\"application/json\" id=\"pss-data\">" + text::json_for_script(render_json(report, options)) +
           "</script>\n";
    out += fmt::format("<script>{}</script>\n</body>\n</html>\n", script);
    return out;
}

}  // namespace pss::reports
