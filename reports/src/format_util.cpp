#include "format_util.hpp"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "escape.hpp"
#include "pss/reports/run_report.hpp"

namespace pss::reports {

std::string format_seconds(double s) {
    if (s < 1e-3) return fmt::format("{:.1f} us", s * 1e6);
    if (s < 1.0) return fmt::format("{:.2f} ms", s * 1e3);
    return fmt::format("{:.2f} s", s);
}

std::string format_bytes(double bytes) {
    if (bytes < 1024) return fmt::format("{:.0f} B", bytes);
    if (bytes < 1024.0 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024);
    if (bytes < 1024.0 * 1024 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
    return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024 * 1024));
}

double rounded_subscore(double value) { return std::round(value * 1e4) / 1e4; }

double pass_rate(const TestResult& t) {
    return t.runs ? static_cast<double>(t.runs - t.failures) / static_cast<double>(t.runs) : 0.0;
}

std::string iso8601_utc(double epoch_seconds) {
    const auto t = static_cast<std::time_t>(epoch_seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string format_change(std::optional<int> baseline, int pss) {
    if (!baseline) return "\xE2\x80\x94";  // em dash
    return fmt::format("{:+d}", pss - *baseline);
}

std::optional<int> baseline_of(const RunReport& report, const TestResult& test) {
    auto it = report.baseline_pss.find({test.module, test.name});
    if (it == report.baseline_pss.end()) return std::nullopt;
    return it->second;
}

std::string display_text(std::string_view text) {
    // Strict UTF-8 first (as every other format), so the table reads the same
    // whether rendered from a run or from its JSON.
    std::string out;
    for (char c : valid_utf8(text)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) out += fmt::format("\\x{:02x}", u);
        else out += c;
    }
    return out;
}

}  // namespace pss::reports
