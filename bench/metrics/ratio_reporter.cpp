#include "ratio_reporter.hpp"

#include <algorithm>
#include <cstdio>

namespace bench {

RatioReporter::RatioReporter(std::vector<std::pair<std::string, std::string>> rows, std::vector<std::string> baselines,
                             std::vector<Goal> goals)
    : rows_(std::move(rows)), baselines_(std::move(baselines)), goals_(std::move(goals)) {}

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
        if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations == 0) continue;
        // With N threads Google Benchmark sums the threads' CPU time and
        // their iterations: this is CPU time per operation, which waiting
        // for one of the 2 shared cores does not inflate.
        const double ns = run.cpu_accumulated_time / static_cast<double>(run.iterations) * 1e9;
        const auto key = std::make_pair(run.run_name.function_name, static_cast<long>(run.threads));
        const auto it = best_ns_.find(key);
        if (it == best_ns_.end()) best_ns_.emplace(key, ns);
        else it->second = std::min(it->second, ns);
    }
}

double RatioReporter::best(const std::string& name, long threads) const {
    const auto it = best_ns_.find({name, threads});
    return it == best_ns_.end() ? 0 : it->second;
}

void RatioReporter::Finalize() {
    ConsoleReporter::Finalize();
    std::printf("\nCPU ns per call, best of the repetitions; ratio = this / baseline, same run, same thread count\n");
    std::printf("%-30s %9s", "", "1 thread");
    for (const auto& b : baselines_) std::printf("  x %-14.14s", b.c_str());
    std::printf(" %9s", "8 threads");
    for (const auto& b : baselines_) std::printf("  x %-14.14s", b.c_str());
    std::printf("  8t/1t\n");
    for (const auto& [name, label] : rows_) {
        std::printf("%-30s", label.c_str());
        for (const long threads : {1L, 8L}) {
            const double ns = best(name, threads);
            if (ns == 0) std::printf(" %9s", "-");
            else std::printf(" %9.2f", ns);
            for (const auto& b : baselines_) {
                const double base = best(b, threads);
                if (ns == 0 || base == 0) std::printf("  %16s", "-");
                else std::printf("  %16.2f", ns / base);
            }
        }
        const double one = best(name, 1), eight = best(name, 8);
        if (one > 0 && eight > 0) std::printf("  %5.2f\n", eight / one);
        else std::printf("  %5s\n", "-");
    }
    for (const Goal& goal : goals_) {
        const double ns = best(goal.row, 1);
        const double eight = best(goal.row, 8);
        if (ns == 0) continue;  // filtered out
        std::printf("goal: %s <= %.0f ns uncontended: %.2f ns (%s); with 8 threads %.2f ns per call\n",
                    goal.row.c_str(), goal.max_ns, ns, ns <= goal.max_ns ? "goal met" : "ABOVE GOAL", eight);
    }
    std::fflush(stdout);
}

}  // namespace bench
