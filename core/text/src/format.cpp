#include "pss/text/format.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "pss/text/escape.hpp"

namespace pss::text {

std::string format_seconds(double s, double resolution) {
    if (resolution > 0 && s < resolution) return fmt::format("<{}", format_seconds(resolution));
    if (s < 1e-3) return fmt::format("{:.1f} us", s * 1e6);
    if (s < 1.0) return resolution >= 1e-3 ? fmt::format("{:.0f} ms", s * 1e3) : fmt::format("{:.2f} ms", s * 1e3);
    return fmt::format("{:.2f} s", s);
}

std::string format_bytes(double bytes) {
    if (bytes < 1024) return fmt::format("{:.0f} B", bytes);
    if (bytes < 1024.0 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024);
    if (bytes < 1024.0 * 1024 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
    return fmt::format("{:.2f} GiB", bytes / (1024.0 * 1024 * 1024));
}

std::string iso8601_utc(double epoch_seconds) {
    // A time from a corrupt or hostile file (-1e308, NaN) is clamped to what
    // the format can write: casting it to time_t would be undefined, and
    // consumers (JUnit, Alertmanager) need a valid timestamp.
    constexpr double last = 253402300799.0;  // 9999-12-31T23:59:59Z
    if (!(epoch_seconds >= 0.0)) epoch_seconds = 0.0;
    if (epoch_seconds > last) epoch_seconds = last;
    const auto t = static_cast<std::time_t>(epoch_seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

double now_epoch() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

// Code points that reorder text (bidirectional controls) or end a line in
// some terminals and viewers: shown, never obeyed.
bool is_format_control(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) ||                    // C1 controls, U+0085 among them
           cp == 0x2028 || cp == 0x2029 ||                   // line and paragraph separators
           (cp >= 0x200B && cp <= 0x200F) ||                 // zero width, LRM, RLM
           (cp >= 0x202A && cp <= 0x202E) ||                 // embeddings and overrides (U+202E)
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;   // isolates, BOM
}

}  // namespace

std::string display_text(std::string_view text) {
    // Strict UTF-8 first (as every other format), so the table reads the same
    // whether rendered from a run or from its JSON.
    const std::string valid = valid_utf8(text);
    std::string out;
    out.reserve(valid.size());
    for (std::size_t i = 0; i < valid.size();) {
        const auto u = static_cast<unsigned char>(valid[i]);
        if (u < 0x80) {
            if (u < 0x20 || u == 0x7F) out += fmt::format("\\x{:02x}", u);
            else out += static_cast<char>(u);
            ++i;
            continue;
        }
        const std::size_t len = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
        char32_t cp = u & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
        for (std::size_t k = 1; k < len && i + k < valid.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(valid[i + k]) & 0x3F);
        if (is_format_control(cp)) out += fmt::format("\\u{{{:04X}}}", static_cast<unsigned>(cp));
        else out.append(valid, i, len);
        i += len;
    }
    return out;
}

}  // namespace pss::text
