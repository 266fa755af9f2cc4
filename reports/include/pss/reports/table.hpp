// The terminal table and summary line that pss run, merge and report print.
#pragma once

#include <cstddef>
#include <string>

#include "pss/scoring/results.hpp"

namespace pss::reports {

struct TableStyle {
    bool color = false;
    std::size_t max_rows = 0;  // 0: all
    // Columns to fit (a terminal's width); 0: no limit. Within a width, long
    // names are shortened in the middle and notes go on lines of their own.
    std::size_t width = 0;
};

// Test, runs, pass rate, PSS, p50, p95, verdict, notes; worst first.
std::string render_table(const RunResults& results, const TableStyle& style);
// "12 tests: 9 stable, 1 flaky, ... | overall PSS 87"
std::string render_summary_line(const RunResults& results);
// "machine noise: high (calibration p95/p50 2.4x, 18% of the time waiting for a CPU)", or empty when not measured.
std::string describe_machine_noise(const MachineNoise& noise);

}  // namespace pss::reports
