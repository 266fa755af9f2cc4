// The board's JSON API: every answer comes from the in-memory model.
//   /api/summary                          counts, branches, suites, where the data came from
//   /api/runs?offset=&limit=              runs, newest first, with gate results and verdict counts
//   /api/tests?run=&verdict=&suite=&q=&sort=&offset=&limit=
//                                         a run's tests (default the newest), filtered, sorted, one page,
//                                         each with its PSS trend (sparkline) over the last 30 runs
//   /api/test?id=                         one test: scores over runs, durations, memory, failures, entropy
//   /api/compare?branch=&baseline=&limit= each test's newest PSS on the branch against the baseline
// Strings are JSON-escaped (invalid UTF-8 replaced); the page escapes them again as text.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "pss/board/model.hpp"

namespace pss::board {

struct ApiAnswer {
    int status = 200;
    std::string body;  // JSON
};

using Params = std::map<std::string, std::string>;

// nullopt for a path that is not an API endpoint.
std::optional<ApiAnswer> answer_api(const Model& model, const std::string& path, const Params& params);

// Up to `context` lines either side of `line` in `file` (a regular, readable
// file under 8 MiB), each with its number; empty when it cannot be read.
std::vector<std::pair<std::int64_t, std::string>> source_lines(const std::string& file, std::int64_t line,
                                                               int context = 3);

}  // namespace pss::board
