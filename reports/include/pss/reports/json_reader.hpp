// Reads the results JSON that the json format writes (schema in
// reports/SCHEMA.md), for `pss report --from`.
#pragma once

#include <stdexcept>
#include <string_view>

#include "pss/scoring/results.hpp"

namespace pss::reports {

// Not a pss results file, a schema version this pss does not read, or a
// field missing or of the wrong type; the message says which and where.
class ReportFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

RunResults read_run_json(std::string_view text);

}  // namespace pss::reports
