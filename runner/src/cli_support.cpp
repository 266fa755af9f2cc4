#include "cli_support.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

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
