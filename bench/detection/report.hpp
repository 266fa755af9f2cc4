// The benchmark's printed output: a header, one table per condition and
// strategy, and the goals with the figures measured against them.
#pragma once

#include <string>
#include <vector>

#include "scoring.hpp"

namespace detection {

struct StrategyResults {
    std::string label;  // e.g. "fixed --repeat 10"
    std::string suite;
    Tally tally;
    bool repeat_auto = false;
};

struct ConditionResults {
    std::string condition;     // quiet or load
    std::string load_average;  // /proc/loadavg when the condition started
    std::vector<double> baseline_seconds;  // per round: 10 plain runs of the suite
    std::vector<StrategyResults> strategies;  // [0] is fixed --repeat 10 on the listener suite
    double auto_budget = 0;                   // seconds given to --repeat auto
};

struct HeaderInfo {
    std::string pss_run, suite, plain_suite, filter;
    int rounds = 0;
    double timeout = 0;
    int load_processes = 0;
    bool repeat_auto = false;
    std::string keep_dir;
};

void print_header(const HeaderInfo& h);
void print_condition(const ConditionResults& c);
void print_goals(const std::vector<ConditionResults>& all, bool repeat_auto);

}  // namespace detection
