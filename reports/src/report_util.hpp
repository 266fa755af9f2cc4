// Small helpers shared by the renderers.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pss/scoring/results.hpp"

namespace pss::reports {

// A run as every report shows it, counted from 1 (pss counts from 0). The
// largest int64 stays itself: only a hostile file holds it, and one past it
// is undefined behaviour.
inline std::int64_t shown_run(std::int64_t run) {
    return run == std::numeric_limits<std::int64_t>::max() ? run : run + 1;
}

// Sub-scores as the JSON stores them (4 decimals), so every format shows the
// same digits whether rendered directly or from `pss report --from`.
double rounded_subscore(double value);

// "+3", "-12", or an em dash when there is no baseline.
std::string format_change(std::optional<int> baseline, int pss);

// A test's p50 or p95 as the reports show it: "<1 ms" below a coarse clock's resolution.
std::string format_duration(const TestResult& test, double seconds);

// The first line of `text`, at most `max` bytes (cut at a UTF-8 boundary, with "...").
std::string first_line(const std::string& text, std::size_t max = 160);

// `file` relative to the checkout `root` when it lies inside it, else as it is.
std::string relative_path(const std::string& file, const std::string& root);

// Where a person should look: the first failed run's assertion when it is
// known, else where the test is defined. `file` empty when neither is known.
struct SourceLocation {
    std::string file;
    std::int64_t line = 0;
};
SourceLocation where_to_look(const TestResult& test, const std::string& root);

// "timing 0.71": the weakest of the five sub-scores.
std::string weakest_subscore(const SubScores& b);

// The 1-based numbers of a test's failed runs, "4, 7, 9" (at most `max`, then ", ...").
std::string failed_run_numbers(const TestResult& test, std::size_t max = 10);

// One line per metric the test's records carried that the reports show:
// those custom_metric_weights scores, and unscored ones whose stability is
// below 0.8. "metric cache.hit_rate: stability 0.62 (CV 24%, mean 0.71, 10 runs, weight 0.1)"
std::vector<std::string> metric_notes(const TestResult& test);

}  // namespace pss::reports
