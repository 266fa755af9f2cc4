// Plain-language observations on a score, with pypss's thresholds and rules.
#pragma once

#include <string>
#include <vector>

#include "pss/scoring/scoring.hpp"

namespace pss {

struct AdvisorConfig {
    double advisor_threshold_excellent = 90;
    double advisor_threshold_good = 75;
    double advisor_threshold_warning = 50;
    double advisor_metric_score_critical = 0.6;
    double advisor_metric_score_warning = 0.85;
    double advisor_error_critical = 0.7;
    double advisor_error_warning = 0.9;
    double advisor_entropy_threshold = 0.8;
};

struct Advice {
    std::string summary;
    std::vector<std::string> observations;
    std::vector<std::string> recommendations;
};

Advice advise(const Score& score, const AdvisorConfig& cfg);

}  // namespace pss
