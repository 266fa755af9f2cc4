// Small helpers shared by the renderers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pss/reports/run_report.hpp"
#include "pss/results.hpp"

namespace pss::reports {

// "12.3 us", "4.56 ms", "1.20 s": durations as people read them.
std::string format_seconds(double seconds);

// "1.5 KiB", "12.0 MiB".
std::string format_bytes(double bytes);

// Sub-scores as the JSON stores them (4 decimals), so every format shows the
// same digits whether rendered directly or from `pss report --from`.
double rounded_subscore(double value);

// Passed runs / scored runs, 0 when nothing ran.
double pass_rate(const TestResult& test);

// "2026-11-22T04:36:20Z" (UTC) from seconds since the epoch.
std::string iso8601_utc(double epoch_seconds);

// "+3", "-12", or "—" when there is no baseline.
std::string format_change(std::optional<int> baseline, int pss);

}  // namespace pss::reports
