// Markdown for GitHub's job summary: every test, within GitHub's 1 MiB limit
// (the compact PR comment is pr_comment.cpp). Names and messages go through
// markdown_cell, so a hostile test name cannot end a cell, add a row or
// inject HTML.
#include <algorithm>

#include <fmt/format.h>

#include "pss/reports/formats.hpp"
#include "pss/text/escape.hpp"
#include "pss/text/format.hpp"
#include "renderers.hpp"
#include "report_util.hpp"

namespace pss::reports {

using text::markdown_cell;

namespace {

bool wants_attention(const TestResult& t) {
    return t.fails_gate || needs_attention(t.verdict) || t.has(ObservationKind::leak);
}

// GitHub refuses a job summary over 1 MiB; these caps keep a huge suite's
// report well below that (the HTML and JSON reports list everything).
constexpr std::size_t max_attention_rows = 300, max_all_rows = 1000;

std::string percent(const TestResult& t) { return fmt::format("{:.0f}%", 100 * t.pass_rate()); }

}  // namespace

std::string attention_reason(const TestResult& t) {
    if (!wants_attention(t)) return {};
    std::vector<std::string> parts;
    const FailureSample* f = t.failure_samples.empty() ? nullptr : &t.failure_samples.front();
    const std::string cause = f ? fmt::format(" ({}{})", f->type, f->message.empty() ? "" : ": " + first_line(f->message))
                                : "";
    switch (t.verdict) {
        case Verdict::failing: parts.push_back(fmt::format("failed all {} runs{}", t.runs, cause)); break;
        case Verdict::flaky:
            parts.push_back(fmt::format("failed {} of {} runs (run {}){}", t.failures, t.runs, failed_run_numbers(t, 5),
                                        cause));
            break;
        case Verdict::unstable:
            parts.push_back(fmt::format("PSS {} (weakest: {})", t.score.pss, weakest_subscore(t.score.breakdown)));
            break;
        case Verdict::regressed: parts.push_back("worse than its history"); break;
        case Verdict::stable:
        case Verdict::not_applicable: break;
    }
    for (const auto& o : t.observations) parts.push_back(o.text);
    for (const auto& m : metric_notes(t)) parts.push_back(m);
    if (t.quarantined) parts.push_back("quarantined");
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

std::string render_markdown(const RunResults& report, const RenderOptions&) {
    const auto& s = report.summary;
    const auto& m = report.meta;
    std::size_t attention = 0;
    for (const auto& t : report.tests) attention += wants_attention(t);

    std::string out;
    const bool passed = report.gate.exit_code == 0;
    const char* icon = passed ? "\xE2\x9C\x85" : "\xE2\x9D\x8C";  // check mark, cross mark
    out += fmt::format("## {} pss: {} \xE2\x80\x94 overall PSS {}\n\n", icon, passed ? "gate passed" : "gate failed",
                       s.overall_pss);
    std::string counts = fmt::format("{} tests: {} stable", s.tests, s.stable);
    const std::pair<std::uint64_t, const char*> parts[] = {{s.unstable, "unstable"},   {s.flaky, "flaky"},
                                                           {s.failing, "failing"},     {s.regressed, "regressed"},
                                                           {s.not_applicable, "n/a"}, {s.quarantined, "quarantined"}};
    for (const auto& [n, what] : parts)
        if (n) counts += fmt::format(", {} {}", n, what);
    out += fmt::format("{} \xC2\xB7 {} runs each", markdown_cell(counts), m.repeat);
    if (!m.git_commit.empty())
        out += fmt::format(" \xC2\xB7 commit {}{}", markdown_cell(m.git_commit.substr(0, 12)),
                           m.git_branch.empty() ? "" : " (" + markdown_cell(m.git_branch) + ")");
    out += fmt::format("\n\n> {}\n\n", markdown_cell(report.gate.reason));

    if (attention) {
        out += fmt::format("### {} test{} need{} attention\n\n", attention, attention == 1 ? "" : "s",
                           attention == 1 ? "s" : "");
        out += "| Test | Verdict | PSS | Change | Runs | Pass rate | p50 | p95 | Reason |\n";
        out += "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
        std::size_t rows = 0;
        for (const auto& t : report.tests) {
            if (!wants_attention(t) || rows++ >= max_attention_rows) continue;
            out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(t.name),
                               to_string(t.verdict), t.score.pss, format_change(t.baseline_pss, t.score.pss),
                               t.runs, percent(t), format_duration(t, t.duration.p50), format_duration(t, t.duration.p95),
                               markdown_cell(attention_reason(t)));
        }
        if (attention > max_attention_rows)
            out += fmt::format("\n\xE2\x80\xA6 and {} more; the HTML and JSON reports list them all.\n",
                               attention - max_attention_rows);
        out += "\n";
    } else {
        out += "No test needs attention.\n\n";
    }

    out += fmt::format("<details>\n<summary>All {} tests</summary>\n\n", report.tests.size());
    out += "| Test | Suite | Verdict | PSS | Change | Runs | Pass rate | p50 | p95 | Timing | Memory | Errors | "
           "Branching | Concurrency |\n";
    out += "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (std::size_t i = 0; i < std::min(report.tests.size(), max_all_rows); ++i) {
        const TestResult& t = report.tests[i];
        const SubScores& b = t.score.breakdown;
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n",
                           markdown_cell(t.name), markdown_cell(t.module), to_string(t.verdict), t.score.pss,
                           format_change(t.baseline_pss, t.score.pss), t.runs, percent(t),
                           format_duration(t, t.duration.p50), format_duration(t, t.duration.p95),
                           rounded_subscore(b.timing_stability), rounded_subscore(b.memory_stability),
                           rounded_subscore(b.error_volatility), rounded_subscore(b.branching_entropy),
                           rounded_subscore(b.concurrency_chaos));
    }
    if (report.tests.size() > max_all_rows)
        out += fmt::format("\n\xE2\x80\xA6 and {} more; the HTML and JSON reports list them all.\n",
                           report.tests.size() - max_all_rows);
    out += "\n</details>\n";
    if (!report.notes.empty()) {
        out += "\n";
        for (const auto& n : report.notes) out += "- " + markdown_cell(n) + "\n";
    }
    return out;
}

}  // namespace pss::reports
