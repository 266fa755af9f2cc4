// JSON pieces shared by the results JSON and pss analyze's JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "pss/scoring/scoring.hpp"
#include "report_util.hpp"

namespace pss::reports {

using ordered_json = nlohmann::ordered_json;

// The five sub-scores with pypss's keys, four decimals.
inline ordered_json subscores_json(const SubScores& s) {
    return ordered_json{{"timing_stability", rounded_subscore(s.timing_stability)},
                        {"memory_stability", rounded_subscore(s.memory_stability)},
                        {"error_volatility", rounded_subscore(s.error_volatility)},
                        {"branching_entropy", rounded_subscore(s.branching_entropy)},
                        {"concurrency_chaos", rounded_subscore(s.concurrency_chaos)}};
}

inline ordered_json duration_json(const DurationSummary& d) {
    return ordered_json{{"mean", d.mean}, {"p50", d.p50}, {"p95", d.p95}, {"max", d.max}};
}

}  // namespace pss::reports
