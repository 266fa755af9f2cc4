// Small helpers shared by the renderers.
#pragma once

#include <optional>
#include <string>

#include "pss/scoring/results.hpp"

namespace pss::reports {

// Sub-scores as the JSON stores them (4 decimals), so every format shows the
// same digits whether rendered directly or from `pss report --from`.
double rounded_subscore(double value);

// "+3", "-12", or an em dash when there is no baseline.
std::string format_change(std::optional<int> baseline, int pss);

// A test's p50 or p95 as the reports show it: "<1 ms" below a coarse clock's resolution.
std::string format_duration(const TestResult& test, double seconds);

// The first line of `text`, at most `max` bytes (cut at a UTF-8 boundary, with "...").
std::string first_line(const std::string& text, std::size_t max = 160);

}  // namespace pss::reports
