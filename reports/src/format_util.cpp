#include "format_util.hpp"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

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

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    return len;
}

}  // namespace

std::string display_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {
            out += fmt::format("\\x{:02x}", c);
            ++i;
            continue;
        }
        const std::size_t len = utf8_length(text, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD
            ++i;
            continue;
        }
        out.append(text.substr(i, len));
        i += len;
    }
    return out;
}

}  // namespace pss::reports
