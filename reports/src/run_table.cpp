#include <algorithm>

#include <fmt/format.h>

#include "format_util.hpp"
#include "pss/reports/run_report.hpp"

namespace pss::reports {

namespace {

int severity(Verdict v) {
    switch (v) {
        case Verdict::failing: return 0;
        case Verdict::flaky: return 1;
        case Verdict::regressed: return 2;
        case Verdict::unstable: return 3;
        case Verdict::not_applicable: return 4;
        case Verdict::stable: return 5;
    }
    return 6;
}

const char* color_of(Verdict v) {
    switch (v) {
        case Verdict::failing: return "\x1b[31;1m";
        case Verdict::flaky:
        case Verdict::regressed: return "\x1b[35;1m";
        case Verdict::unstable: return "\x1b[33m";
        case Verdict::stable: return "\x1b[32m";
        case Verdict::not_applicable: break;
    }
    return "";
}

std::string pad(std::string s, std::size_t width) {
    // Width counts code points, so names with UTF-8 line up.
    std::size_t cps = 0;
    for (unsigned char c : s) cps += (c & 0xC0) != 0x80;
    if (cps < width) s.append(width - cps, ' ');
    return s;
}

}  // namespace

void sort_worst_first(std::vector<TestResult>& tests) {
    std::stable_sort(tests.begin(), tests.end(), [](const TestResult& a, const TestResult& b) {
        if (severity(a.verdict) != severity(b.verdict)) return severity(a.verdict) < severity(b.verdict);
        return a.score.pss < b.score.pss;
    });
}

std::string render_table(const RunReport& report, const TableStyle& style) {
    std::vector<std::string> names;
    std::size_t width = 4;
    for (const auto& t : report.tests) {
        names.push_back(display_text(t.name));
        width = std::max(width, std::min<std::size_t>(names.back().size(), 60));
    }
    std::string out = fmt::format("{}  {:>5}  {:>6}  {:>3}  {:>10}  {:>10}  {:<9}  {}\n", pad("TEST", width), "RUNS",
                                  "PASS", "PSS", "P50", "P95", "VERDICT", "NOTES");
    std::size_t rows = 0;
    for (std::size_t i = 0; i < report.tests.size(); ++i) {
        if (style.max_rows && rows++ >= style.max_rows) {
            out += fmt::format("... and {} more\n", report.tests.size() - style.max_rows);
            break;
        }
        const auto& t = report.tests[i];
        const double pass = t.runs ? 100.0 * static_cast<double>(t.runs - t.failures) / static_cast<double>(t.runs) : 0;
        std::string verdict(to_string(t.verdict));
        const std::string verdict_cell = style.color ? fmt::format("{}{:<9}\x1b[0m", color_of(t.verdict), verdict)
                                                     : fmt::format("{:<9}", verdict);
        std::string notes;
        if (t.quarantined) notes = "quarantined";
        if (!t.failure_samples.empty() && (t.verdict == Verdict::failing || t.verdict == Verdict::flaky)) {
            const auto& f = t.failure_samples.front();
            notes += (notes.empty() ? "" : "; ") + f.kind;
        }
        for (const auto& o : t.observations) notes += (notes.empty() ? "" : "; ") + o;
        out += fmt::format("{}  {:>5}  {:>5.0f}%  {:>3}  {:>10}  {:>10}  {}  {}\n", pad(names[i], width), t.runs, pass,
                           t.score.pss, format_seconds(t.duration_p50), format_seconds(t.duration_p95), verdict_cell,
                           display_text(notes));
    }
    return out;
}

std::string render_summary_line(const RunReport& report) {
    const RunSummary& s = report.summary;
    std::string line = fmt::format("{} test{}: {} stable", s.tests, s.tests == 1 ? "" : "s", s.stable);
    auto part = [&](std::uint64_t n, const char* what) {
        if (n) line += fmt::format(", {} {}", n, what);
    };
    part(s.unstable, "unstable");
    part(s.flaky, "flaky");
    part(s.failing, "failing");
    part(s.regressed, "regressed");
    part(s.not_applicable, "n/a");
    part(s.quarantined, "quarantined");
    line += fmt::format(" | overall PSS {}", s.overall_pss);
    return line;
}

}  // namespace pss::reports
