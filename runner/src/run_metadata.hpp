// What a run records about where it ran: time, host, commit and branch.
#pragma once

#include <string>

#include "pss/scoring/results.hpp"
#include "pss/text/format.hpp"

namespace pss::cli {

using text::now_epoch;

std::string hostname();
std::string env_or_empty(const char* name);

// Commit and branch: from the CI's variables when set (a CI checkout is often
// a detached HEAD), else from git.
void fill_git_metadata(RunMetadata& meta);

}  // namespace pss::cli
