#include "cli_support.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace pss::cli {

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
