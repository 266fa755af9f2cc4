#include "report_util.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "pss/text/format.hpp"

namespace pss::reports {

double rounded_subscore(double value) { return std::round(value * 1e4) / 1e4; }

std::string format_change(std::optional<int> baseline, int pss) {
    if (!baseline) return "\xE2\x80\x94";  // em dash
    return fmt::format("{:+d}", pss - *baseline);
}

std::string format_duration(const TestResult& t, double seconds) {
    return text::format_seconds(seconds, t.timing_resolution);
}

std::string first_line(const std::string& s, std::size_t max) {
    std::string line = s.substr(0, s.find('\n'));
    if (line.size() <= max) return line;
    std::size_t cut = max - 3;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    return line.substr(0, cut) + "...";
}

std::string relative_path(const std::string& file, const std::string& root) {
    std::string prefix = root;
    while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
    if (prefix.empty() || file.size() <= prefix.size() + 1 || file.compare(0, prefix.size(), prefix) != 0 ||
        (file[prefix.size()] != '/' && prefix != "/"))
        return file;
    std::string rest = file.substr(prefix.size());
    while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
    return rest;
}

SourceLocation where_to_look(const TestResult& t, const std::string& root) {
    for (const auto& f : t.failure_samples)
        if (!f.file.empty()) return {relative_path(f.file, root), f.line};
    if (!t.filename.empty()) return {relative_path(t.filename, root), t.lineno};
    return {};
}

std::string weakest_subscore(const SubScores& b) {
    const std::pair<const char*, double> all[] = {{"timing", b.timing_stability},
                                                  {"memory", b.memory_stability},
                                                  {"errors", b.error_volatility},
                                                  {"branching", b.branching_entropy},
                                                  {"concurrency", b.concurrency_chaos}};
    const auto* w = std::min_element(std::begin(all), std::end(all),
                                     [](const auto& a, const auto& c) { return a.second < c.second; });
    return fmt::format("{} {:.2f}", w->first, rounded_subscore(w->second));
}

std::string failed_run_numbers(const TestResult& t, std::size_t max) {
    std::string out;
    std::size_t shown = 0;
    auto add = [&](std::int64_t run) {
        if (shown++ == max) {
            out += ", ...";
            return;
        }
        if (shown <= max) out += fmt::format("{}{}", out.empty() ? "" : ", ", shown_run(run));
    };
    if (!t.series.empty()) {
        for (const auto& p : t.series)
            if (p.failed) add(p.run);
    } else {
        for (const auto& f : t.failure_samples) add(f.run);
    }
    return out;
}

std::vector<std::string> metric_notes(const TestResult& test) {
    std::vector<std::string> out;
    for (const MetricStability& m : test.metrics) {
        if (m.weight <= 0 && m.score >= 0.8) continue;
        std::string line = fmt::format("metric {}: stability {:.2f} (CV {:.0f}%, mean {:.4g}, {} run{}", m.name,
                                       rounded_subscore(m.score), 100 * m.cv, m.mean, m.runs, m.runs == 1 ? "" : "s");
        line += m.weight > 0 ? fmt::format(", weight {:g})", m.weight) : ", not scored)";
        out.push_back(std::move(line));
    }
    return out;
}

}  // namespace pss::reports
