// One self-contained HTML page: no external scripts, fonts or styles.
#pragma once

#include <string>

#include "pss/reports/run_report.hpp"

namespace pss::reports {

// Summary cards, a sortable table, per test the five sub-scores and charts of
// duration and memory over runs and a failure timeline (inline SVG).
std::string render_run_html(const RunReport& report);

}  // namespace pss::reports
