// Quarantine files: one test name or glob a line, '#' starts a comment.
#pragma once

#include <string>
#include <vector>

namespace pss::cli {

// Throws CommandError (exit 2) when the file cannot be read.
std::vector<std::string> read_quarantine(const std::string& path);

}  // namespace pss::cli
