#include <fmt/format.h>

#include "pss/reports/analysis_report.hpp"
#include "pss/text/format.hpp"
#include "report_util.hpp"

namespace pss::reports {

using text::display_text;

std::string render_analysis_text(const AnalysisReport& report, std::size_t max_tests) {
    const Analysis& a = report.analysis;
    const SubScores& b = a.overall.score.breakdown;
    std::string out;
    auto line = [&out](std::string_view s) {
        out += s;
        out += '\n';
    };
    line("C++ Program Stability Score (PSS) Report");
    line("========================================");
    line(fmt::format("PSS: {}/100", a.overall.score.pss));
    line(fmt::format("Records: {} ({} failed) in {} tests, {} modules, from {}", a.records, a.errors, a.tests.size(),
                     a.modules.size(), report.source));
    line("");
    line("Breakdown:");
    line(fmt::format("  - Timing Stability: {:.2f}", b.timing_stability));
    line(fmt::format("  - Memory Stability: {:.2f}", b.memory_stability));
    line(fmt::format("  - Error Volatility: {:.2f}", b.error_volatility));
    line(fmt::format("  - Branching Entropy: {:.2f}", b.branching_entropy));
    line(fmt::format("  - Concurrency Chaos: {:.2f}", b.concurrency_chaos));
    line("");
    line("Stability Diagnosis");
    line("===================");
    line(report.advice.summary);
    if (!report.advice.observations.empty()) {
        line("");
        line("Observations:");
        for (const auto& o : report.advice.observations) line("- " + o);
    }
    if (!report.advice.recommendations.empty()) {
        line("");
        line("Recommendations:");
        for (const auto& r : report.advice.recommendations) line("- " + r);
    }
    if (!report.regressions.empty()) {
        line("");
        line("Regressions against history:");
        for (const auto& r : report.regressions)
            line(fmt::format("- {}{} ({})", display_text(r.test.empty() ? "the run: " : r.test + ": "),
                             display_text(r.message), to_string(r.rule)));
    }
    if (!a.modules.empty()) {
        line("");
        line("Modules:");
        for (const auto& m : a.modules)
            line(fmt::format("  {:>3}  {} ({} records)", m.score.pss, display_text(m.name), m.runs));
    }
    if (!a.tests.empty()) {
        line("");
        line(a.tests.size() > max_tests ? fmt::format("Least stable tests ({} of {}):", max_tests, a.tests.size())
                                        : std::string("Tests, least stable first:"));
        line(fmt::format("  {:>3}  {:>5}  {:>6}  {:>10}  {:>10}  {}", "PSS", "runs", "failed", "p50", "p95", "test"));
        for (std::size_t i = 0; i < a.tests.size() && i < max_tests; ++i) {
            const auto& t = a.tests[i];
            line(fmt::format("  {:>3}  {:>5}  {:>6}  {:>10}  {:>10}  {}", t.score.pss, t.runs, t.failures,
                             format_duration(t, t.duration.p50), format_duration(t, t.duration.p95),
                             display_text(t.name)));
            for (const auto& m : metric_notes(t)) line("         " + display_text(m));
        }
    }
    if (!report.read.warning().empty()) {
        line("");
        line("Warning: " + report.read.warning());
    }
    return out;
}

}  // namespace pss::reports
