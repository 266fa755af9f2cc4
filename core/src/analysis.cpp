#include "pss/analysis.hpp"

#include <algorithm>

#include "pss/statistics.hpp"

namespace pss {

void Analyzer::add(const TraceRecord& r) {
    overall_.add(r);
    const std::string& module = r.module.empty() ? std::string(unknown_module) : r.module;
    modules_[module].samples.add(r);
    if (r.system_metric) return;  // event-loop records are not tests

    Group& g = tests_[{module, r.name}];
    g.samples.add(r);
    g.module = module;
    if (g.filename.empty() && !r.filename.empty()) {
        g.filename = r.filename;
        g.lineno = r.lineno;
    }
    if (r.error && g.first_failure.empty()) {
        g.first_failure = r.exception_type.empty() ? "error" : r.exception_type;
        if (!r.exception_message.empty()) g.first_failure += ": " + r.exception_message;
    }
}

GroupResult Analyzer::summarize(const std::string& name, const Group& g, const ScoringConfig& cfg) {
    GroupResult out;
    out.name = name;
    out.module = g.module;
    out.records = g.samples.count();
    out.errors = g.samples.error_count();
    out.score = g.samples.score(cfg);
    out.filename = g.filename;
    out.lineno = g.lineno;
    out.first_failure = g.first_failure;

    std::vector<double> d = g.samples.durations();
    std::sort(d.begin(), d.end());
    if (!d.empty()) {
        out.duration_mean = stats::mean(d);
        out.duration_max = d.back();
        if (d.size() >= 2) {
            out.duration_p50 = stats::quantile_exclusive(d, 49);
            out.duration_p95 = stats::quantile_exclusive(d, 94);
        } else {
            out.duration_p50 = out.duration_p95 = d.front();
        }
    }
    const auto& mem = g.samples.memory();
    if (!mem.empty()) out.memory_peak = *std::max_element(mem.begin(), mem.end());
    return out;
}

Analysis Analyzer::result(const ScoringConfig& cfg) const {
    Analysis a;
    a.overall = overall_.score(cfg);
    a.records = overall_.count();
    a.errors = overall_.error_count();
    for (const auto& [name, g] : modules_) {
        Group named = g;
        named.module = name;
        a.modules.push_back(summarize(name, named, cfg));
    }
    for (const auto& [key, g] : tests_) a.tests.push_back(summarize(key.second, g, cfg));
    std::stable_sort(a.tests.begin(), a.tests.end(),
                     [](const GroupResult& x, const GroupResult& y) { return x.score.pss < y.score.pss; });
    return a;
}

}  // namespace pss
