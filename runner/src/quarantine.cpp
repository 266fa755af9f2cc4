#include "quarantine.hpp"

#include <cctype>
#include <fstream>

#include <fmt/format.h>

#include "cli_support.hpp"

namespace pss::cli {

std::vector<std::string> read_quarantine(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw CommandError(exit_usage, fmt::format("cannot read quarantine file '{}'. Pass an existing file: one "
                                                   "test name (or glob pattern) per line, # for comments.",
                                                   path));
    std::vector<std::string> patterns;
    for (std::string line; std::getline(in, line);) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
        std::size_t b = 0;
        while (b < line.size() && std::isspace(static_cast<unsigned char>(line[b]))) ++b;
        if (b < line.size()) patterns.push_back(line.substr(b));
    }
    return patterns;
}

}  // namespace pss::cli
