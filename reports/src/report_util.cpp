#include "report_util.hpp"

#include <cmath>

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

}  // namespace pss::reports
