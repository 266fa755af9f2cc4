#include "cli_support.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "pss/text/width.hpp"

namespace pss::cli {

std::optional<double> parse_duration(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || !std::isfinite(value) || value < 0) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (unit.empty() || unit == "s") return value;
    if (unit == "ms") return value / 1000;
    if (unit == "m" || unit == "min") return value * 60;
    if (unit == "h") return value * 3600;
    return std::nullopt;
}

namespace {
ColorChoice g_color = ColorChoice::automatic;

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v && *v && std::string_view(v) != "0";
}
}  // namespace

void set_color_choice(ColorChoice choice) { g_color = choice; }

bool color_enabled(int fd) {
    if (g_color != ColorChoice::automatic) return g_color == ColorChoice::always;
    if (const char* no = std::getenv("NO_COLOR"); no && *no) return false;
    if (env_set("FORCE_COLOR") || env_set("CLICOLOR_FORCE")) return true;
    return ::isatty(fd) != 0;
}

std::size_t terminal_columns(int fd) {
    winsize ws{};
    if (::isatty(fd) && ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* c = std::getenv("COLUMNS"); c && *c) {
        char* end = nullptr;
        const long n = std::strtol(c, &end, 10);
        if (end && *end == '\0' && n > 0 && n < 100000) return static_cast<std::size_t>(n);
    }
    return 0;
}

std::string fit_lines(const std::string& text, std::size_t width) {
    if (width == 0) return text;
    std::string out;
    std::size_t from = 0;
    while (from < text.size()) {
        std::size_t nl = text.find('\n', from);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(from, nl - from);
        from = nl + 1;
        if (text::columns(line) <= width) {
            out += line + (nl < text.size() ? "\n" : "");
            continue;
        }
        std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos) indent = 0;
        if (line.compare(indent, 2, "- ") == 0) indent += 2;
        const std::string pad(indent, ' ');
        bool first = true;
        for (const auto& piece : text::wrap(line.substr(indent), width - indent))
            out += (std::exchange(first, false) ? line.substr(0, indent) : pad) + piece + "\n";
    }
    return out;
}

void print_error(std::string_view message) { fmt::print(stderr, "pss: error: {}\n", message); }

void print_warning(std::string_view message) { fmt::print(stderr, "pss: warning: {}\n", message); }

void write_output_file(const std::filesystem::path& path, std::string_view content, std::string_view what) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const auto tmp = std::filesystem::path(path.string() + fmt::format(".tmp{}", ::getpid()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) {
            const int e = errno;
            std::filesystem::remove(tmp, ec);
            throw CommandError(exit_cannot_run, fmt::format("cannot write {} '{}': {}", what, path.string(),
                                                            e ? std::strerror(e) : "write failed"));
        }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw CommandError(exit_cannot_run, fmt::format("cannot write {} '{}': {}", what, path.string(), ec.message()));
    }
}

}  // namespace pss::cli
