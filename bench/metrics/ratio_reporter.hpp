// A console reporter that, at the end, prints each benchmark's CPU time per
// operation (best of its repetitions: the least disturbed on a shared
// machine) and ratios against the baselines of the same run.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Goal {
    std::string row;  // benchmark function name
    double max_ns;    // per operation, uncontended
};

class RatioReporter : public benchmark::ConsoleReporter {
public:
    // `rows`: (function name, label) in print order; `baselines`: function
    // names to divide by; `goals`: limits to check.
    RatioReporter(std::vector<std::pair<std::string, std::string>> rows, std::vector<std::string> baselines,
                  std::vector<Goal> goals);

    void ReportRuns(const std::vector<Run>& runs) override;
    void Finalize() override;

private:
    double best(const std::string& name, long threads) const;  // ns per operation, 0 if absent

    std::vector<std::pair<std::string, std::string>> rows_;
    std::vector<std::string> baselines_;
    std::vector<Goal> goals_;
    std::map<std::pair<std::string, long>, double> best_ns_;  // (name, threads) -> CPU ns per operation
};

}  // namespace bench
