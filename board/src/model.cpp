// Building the board's model from the history (pss/board/model.hpp).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "pss/board/model.hpp"

namespace pss::board {

namespace {

std::uint8_t scaled(double score) {
    if (!std::isfinite(score)) return 0;
    return static_cast<std::uint8_t>(std::lround(std::clamp(score, 0.0, 1.0) * 200));
}

std::uint16_t small_count(std::int64_t n) { return static_cast<std::uint16_t>(std::clamp<std::int64_t>(n, 0, 65535)); }

std::string suite_of(const std::string& module, const std::string& binary) {
    if (!binary.empty() && module.size() > binary.size() + 1 && module.rfind(binary + ".", 0) == 0)
        return module.substr(binary.size() + 1);
    return module;
}

}  // namespace

std::uint8_t verdict_index(const std::string& verdict) {
    for (std::uint8_t i = 0; i < 6; ++i)
        if (verdict == verdict_names[i]) return i;
    return 5;
}

static Cell make_cell(std::uint32_t run, const ci::StoredTest& t) {
    Cell c;
    c.run = run;
    c.pss = static_cast<std::uint8_t>(std::clamp(t.pss, 0, 100));
    c.verdict = verdict_index(t.verdict);
    const double subs[5] = {t.breakdown.timing_stability, t.breakdown.memory_stability, t.breakdown.error_volatility,
                            t.breakdown.branching_entropy, t.breakdown.concurrency_chaos};
    for (int i = 0; i < 5; ++i) c.sub[i] = scaled(subs[i]);
    c.runs = small_count(t.runs);
    c.failures = small_count(t.failures);
    c.p50 = static_cast<float>(t.p50);
    c.p95 = static_cast<float>(t.p95);
    return c;
}

void load_history(Model& model, const ci::HistoryStore& store, std::size_t max_runs) {
    model.history_location = store.location();
    ci::RunQuery all;
    all.limit = max_runs;
    std::vector<ci::StoredRun> stored = store.runs(all);
    std::reverse(stored.begin(), stored.end());  // oldest first
    std::unordered_map<std::string, std::uint32_t> index;  // module + '\0' + name
    for (const auto& r : model.tests) index.emplace(r.module + '\0' + r.name, static_cast<std::uint32_t>(&r - model.tests.data()));
    for (const ci::StoredRun& s : stored) {
        Run run;
        run.id = s.id;
        run.started_at = s.started_at;
        run.branch = s.context.branch;
        run.commit = s.context.commit;
        run.host = s.context.host;
        run.source = s.context.source;
        run.pss = s.pss;
        run.breakdown = s.breakdown;
        run.tests = s.tests;
        run.gate_exit = s.gate_exit;
        const auto run_index = static_cast<std::uint32_t>(model.runs.size());
        for (const ci::StoredTest& t : store.tests_of_run(s.id)) {
            std::string key = t.module + '\0' + t.name;
            auto [it, added] = index.emplace(std::move(key), static_cast<std::uint32_t>(model.tests.size()));
            if (added) {
                Test test;
                test.name = t.name;
                test.module = t.module;
                test.binary = t.binary;
                test.suite = suite_of(t.module, t.binary);
                model.tests.push_back(std::move(test));
            }
            const Cell cell = make_cell(run_index, t);
            ++run.verdicts[cell.verdict];
            model.tests[it->second].cells.push_back(cell);
        }
        model.runs.push_back(std::move(run));
    }
}

void finish(Model& model) {
    std::set<std::string> suites;
    for (const Test& t : model.tests) suites.insert(t.suite);
    model.suites.assign(suites.begin(), suites.end());
    model.branches.clear();
    std::set<std::string> seen;
    for (auto it = model.runs.rbegin(); it != model.runs.rend(); ++it)
        if (seen.insert(it->branch).second) model.branches.push_back(it->branch);
}

}  // namespace pss::board
