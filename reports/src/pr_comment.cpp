// The pull request comment (--pr-comment FILE): what a reviewer needs, in
// a size GitHub accepts whatever the suite's size. GitHub refuses a comment
// over 65,536 characters; this one stays under `comment_budget`: the tests
// that fail the gate first, worst first, then the other tests that need
// attention, each with a strip of its runs; rows stop when the next one
// would not fit, and counts stand for the rest. The full report is a link.
#include <fmt/format.h>

#include "pss/reports/formats.hpp"
#include "pss/text/escape.hpp"
#include "pss/text/width.hpp"
#include "renderers.hpp"
#include "report_util.hpp"

namespace pss::reports {

using text::markdown_cell;

namespace {

// Counted in UTF-8 bytes, which are never fewer than the characters (code
// points or UTF-16 units) any service counts.
constexpr std::size_t comment_budget = 60000;
constexpr std::size_t max_strip_cells = 20, max_name = 90, max_reason = 140;
constexpr const char* pass_mark = "\xE2\x9C\x85";  // U+2705
constexpr const char* fail_mark = "\xE2\x9D\x8C";  // U+274C

// One mark per run, oldest first; past max_strip_cells runs each mark stands
// for a bucket of runs and is a cross when any of them failed.
std::string run_strip(const TestResult& t) {
    const std::size_t n = t.series.size();
    if (n == 0) return fmt::format("{} of {} failed", t.failures, t.runs);
    const std::size_t cells = std::min(n, max_strip_cells);
    std::string out;
    for (std::size_t c = 0; c < cells; ++c) {
        bool failed = false;
        for (std::size_t i = c * n / cells; i < (c + 1) * n / cells; ++i) failed = failed || t.series[i].failed;
        out += failed ? fail_mark : pass_mark;
    }
    if (cells < n) out += fmt::format(" ({} runs)", n);
    return out;
}

std::string counts_line(const RunSummary& s) {
    std::string out = fmt::format("{} tests: {} stable", s.tests, s.stable);
    const std::pair<std::uint64_t, const char*> parts[] = {{s.unstable, "unstable"},   {s.flaky, "flaky"},
                                                           {s.failing, "failing"},     {s.regressed, "regressed"},
                                                           {s.not_applicable, "n/a"}, {s.quarantined, "quarantined"}};
    for (const auto& [n, what] : parts)
        if (n) out += fmt::format(", {} {}", n, what);
    return out;
}

std::string row(const TestResult& t) {
    return fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", t.fails_gate ? fail_mark : "\xE2\x9A\xA0\xEF\xB8\x8F",
                       markdown_cell(text::shorten_middle(t.name, max_name)), to_string(t.verdict), t.score.pss,
                       format_change(t.baseline_pss, t.score.pss), run_strip(t),
                       markdown_cell(text::shorten_end(attention_reason(t), max_reason)));
}

}  // namespace

std::string render_pr_comment(const RunResults& report, const RenderOptions& options) {
    const auto& s = report.summary;
    const auto& m = report.meta;
    const bool passed = report.gate.exit_code == 0;
    std::string head = "<!-- pss:pr-comment -->\n";
    head += fmt::format("## {} pss: {} \xE2\x80\x94 overall PSS {}", passed ? pass_mark : fail_mark,
                        passed ? "gate passed" : "gate failed", report.overall.pss);
    if (report.baseline_pss)
        head += fmt::format(" ({} against {})", format_change(report.baseline_pss, report.overall.pss),
                            report.baseline_branch.empty() ? "the baseline" : markdown_cell(report.baseline_branch));
    head += "\n\n";
    head += fmt::format("{} \xC2\xB7 {} runs each", markdown_cell(counts_line(s)), m.repeat);
    if (!m.git_commit.empty()) head += fmt::format(" \xC2\xB7 commit {}", markdown_cell(m.git_commit.substr(0, 12)));
    head += fmt::format("\n\n> {}\n\n", markdown_cell(report.gate.reason));

    std::vector<const TestResult*> listed;  // gate failures first, then the rest that need attention
    for (int pass = 0; pass < 2; ++pass)
        for (const auto& t : report.tests)
            if (t.fails_gate == (pass == 0) && !attention_reason(t).empty()) listed.push_back(&t);

    const std::string url = options.report_url.empty() ? "PSS_REPORT_URL" : options.report_url;
    const std::string link = fmt::format("\n[Full report]({}): every test with its charts (HTML), JSON and JUnit.\n",
                                         url);
    std::string table;
    if (!listed.empty()) {
        table = fmt::format("| | Test | Verdict | PSS | Change{} | Runs | Why |\n| --- | --- | --- | ---: | ---: | --- | --- |\n",
                            report.baseline_branch.empty() ? "" : " vs " + markdown_cell(report.baseline_branch));
    }
    // The longest tail the counts can need, so rows never push it over the budget.
    const std::size_t tail_room = 400 + link.size();
    std::size_t used = head.size() + table.size() + tail_room;
    std::size_t shown = 0;
    for (const TestResult* t : listed) {
        std::string r = row(*t);
        const std::size_t n = r.size();
        if (used + n > comment_budget) break;
        used += n;
        table += r;
        ++shown;
    }

    std::string out = head;
    if (listed.empty()) out += "No test needs attention.\n";
    out += table;
    if (shown < listed.size()) {
        std::uint64_t failing = 0, flaky = 0, unstable = 0, other = 0;
        for (std::size_t i = shown; i < listed.size(); ++i) {
            const Verdict v = listed[i]->verdict;
            (v == Verdict::failing ? failing : v == Verdict::flaky ? flaky : v == Verdict::unstable ? unstable : other)++;
        }
        out += fmt::format("\n\xE2\x80\xA6 and {} more that need attention ({} failing, {} flaky, {} unstable, {} other).\n",
                           listed.size() - shown, failing, flaky, unstable, other);
    }
    const std::uint64_t quiet = report.tests.size() - listed.size();
    if (quiet && !listed.empty()) out += fmt::format("\n{} other tests need no attention.\n", quiet);
    out += link;
    return out;
}

}  // namespace pss::reports
