// Re-running tests alone to confirm what the suite showed: a failed run
// (order dependence against a failure of the test's own), and a timing or
// memory instability (the test's, or the machine's noise).
#pragma once

#include <filesystem>
#include <vector>

#include "machine_noise.hpp"
#include "pss/scoring/results.hpp"
#include "test_binary.hpp"

namespace pss::cli {

struct PipelineInput;

// Updates verdicts and observations of `results.tests` (pss::apply_rerun,
// pss::apply_failure_rerun). `noise` measures the machine meanwhile.
void confirm_verdicts(RunResults& results, const std::vector<runner::TestBinary>& binaries, const PipelineInput& in,
                      const runner::NoiseProbe& noise, const std::filesystem::path& work_dir);

}  // namespace pss::cli
