#include "history_prior.hpp"

#include "pss/ci/history_store.hpp"

namespace pss::cli {

std::map<std::pair<std::string, std::string>, std::uint64_t> stable_history_runs(const std::vector<TestResult>& tests,
                                                                                const RunResults& run,
                                                                                const HistorySettings& settings) {
    std::map<std::pair<std::string, std::string>, std::uint64_t> out;
    if (!ci::history_may_exist(settings.config.storage_uri)) return out;
    try {
        const auto store = ci::open_history_store(settings.config.storage_uri);
        ci::RunQuery q;
        q.limit = static_cast<std::size_t>(settings.config.regression_history_limit);
        q.branch = baseline_branch(run, settings);
        for (const auto& t : tests) {
            std::uint64_t runs = 0;
            bool clean = true;
            for (const auto& h : store->test_history(t.name, q)) {
                if (h.module != t.module) continue;
                clean = clean && h.failures == 0 && h.verdict == "stable";
                runs += static_cast<std::uint64_t>(h.runs);
            }
            if (clean && runs > 0) out[{t.module, t.name}] = runs;
        }
    } catch (const ci::HistoryError&) {
        out.clear();
    }
    return out;
}

}  // namespace pss::cli
