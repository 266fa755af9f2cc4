// The terminal table: one line per test, worst first.
#include "pss/reports/table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "pss/text/format.hpp"
#include "pss/text/width.hpp"
#include "report_util.hpp"

namespace pss::reports {

namespace {

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

// The failure rate's 95% interval in a few characters: "<=28%", "11-60%", ">=72%".
std::string failure_rate(const Confidence& c) {
    if (c.runs == 0) return "-";
    auto pct = [](double r) { return fmt::format("{:.0f}%", std::ceil(100 * r - 1e-9)); };
    if (c.failures == 0) return "<=" + pct(c.failure_rate_high);
    if (c.failures == c.runs) return ">=" + fmt::format("{:.0f}%", std::floor(100 * c.failure_rate_low + 1e-9));
    return fmt::format("{:.0f}-{}", std::floor(100 * c.failure_rate_low + 1e-9), pct(c.failure_rate_high));
}

}  // namespace

std::string render_table(const RunResults& results, const TableStyle& style) {
    // Everything but the name: RUNS PASS FAIL% PSS P50 P95 VERDICT, two spaces between.
    constexpr std::size_t fixed = 4 + 4 + 6 + 3 + 8 + 8 + 9 + 7 * 2, min_name = 16;
    const bool fit = style.width > 0;
    std::size_t name_width = 4;
    std::vector<std::string> names;
    for (const auto& t : results.tests) {
        names.push_back(text::display_text(t.name));
        name_width = std::max(name_width, std::min<std::size_t>(text::columns(names.back()), 60));
    }
    if (fit) name_width = std::min(name_width, std::max(min_name, style.width > fixed ? style.width - fixed : 0));
    std::string out = fmt::format("{}  {:>4}  {:>4}  {:>6}  {:>3}  {:>8}  {:>8}  {}\n", text::pad_to("TEST", name_width),
                                  "RUNS", "PASS", "FAIL%", "PSS", "P50", "P95", fit ? "VERDICT" : "VERDICT    NOTES");
    std::size_t rows = 0;
    for (std::size_t i = 0; i < results.tests.size(); ++i) {
        if (style.max_rows && rows++ >= style.max_rows) {
            out += fmt::format("... and {} more\n", results.tests.size() - style.max_rows);
            break;
        }
        const auto& t = results.tests[i];
        const std::string verdict(to_string(t.verdict));
        const std::string verdict_cell = style.color ? fmt::format("{}{:<9}\x1b[0m", color_of(t.verdict), verdict)
                                                     : fmt::format("{:<9}", verdict);
        std::string notes;
        auto note = [&](const std::string& n) { notes += (notes.empty() ? "" : "; ") + n; };
        if (t.quarantined) note("quarantined");
        if (!t.failure_samples.empty() && (t.verdict == Verdict::failing || t.verdict == Verdict::flaky))
            note(t.failure_samples.front().type);
        for (const auto& o : t.observations) note(o.text);
        for (const auto& m : metric_notes(t)) note(m);
        if (t.confidence.weak) note("weak: " + t.confidence.reason);
        const bool skipped = t.runs == 0 && t.skipped > 0;
        if (skipped) note(t.confidence.reason);
        notes = text::display_text(notes);
        std::string line = fmt::format("{}  {:>4}  {:>4}  {:>6}  {:>3}  {:>8}  {:>8}  {}",
                                       text::pad_to(fit ? text::shorten_middle(names[i], name_width) : names[i], name_width),
                                       t.runs, skipped ? "-" : fmt::format("{:.0f}%", 100 * t.pass_rate()),
                                       failure_rate(t.confidence),
                                       skipped ? "-" : std::to_string(t.score.pss),
                                       skipped ? "-" : format_duration(t, t.duration.p50),
                                       skipped ? "-" : format_duration(t, t.duration.p95), verdict_cell);
        if (!fit) {
            out += line + (notes.empty() ? "" : "  " + notes) + "\n";
            continue;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
        for (const auto& l : text::wrap(notes, style.width > 8 ? style.width - 4 : 40)) out += "    " + l + "\n";
    }
    return out;
}

std::string render_summary_line(const RunResults& results) {
    const RunSummary& s = results.summary;
    std::string line = fmt::format("{} test{}: {} stable", s.tests, s.tests == 1 ? "" : "s", s.stable);
    auto part = [&](std::uint64_t n, const char* what) {
        if (n) line += fmt::format(", {} {}", n, what);
    };
    part(s.unstable, "unstable");
    part(s.flaky, "flaky");
    part(s.failing, "failing");
    part(s.regressed, "regressed");
    part(s.not_applicable - s.skipped, "n/a");
    part(s.skipped, "skipped");
    part(s.quarantined, "quarantined");
    part(s.weak, "weak");
    // Nothing measured (every test skipped): no score, rather than a 0 beside "gate passed".
    if (s.tests > 0 && s.skipped == s.tests) line += " | overall PSS - (no test ran)";
    else line += fmt::format(" | overall PSS {}", s.overall_pss);
    return line;
}

std::string describe_machine_noise(const MachineNoise& n) {
    if (!n.measured) return {};
    std::string out =
        fmt::format("machine noise: {} (calibration p95/p50 {:.1f}x, wake-ups {:.1f}x", n.level, n.ratio, n.wakeup_ratio);
    if (n.run_delay_share >= 0.01)
        out += fmt::format(", {:.0f}% of the time waiting for a CPU", 100 * n.run_delay_share);
    out += ")";
    if (n.high()) out += "; timing verdicts are weak";
    return out;
}

}  // namespace pss::reports
