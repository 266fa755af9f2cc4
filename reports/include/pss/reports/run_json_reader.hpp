// Reads back what render_run_json wrote, so `pss report --from` can render
// every other format from a saved run.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "pss/reports/run_report.hpp"

namespace pss::reports {

class ReportFormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws ReportFormatError naming what was wrong (not JSON, an unknown
// schema_version, a missing or mistyped field).
RunReport read_run_json(std::string_view text);

}  // namespace pss::reports
