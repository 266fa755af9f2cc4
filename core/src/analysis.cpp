#include "pss/analysis.hpp"

#include <algorithm>
#include <tuple>

namespace pss {

namespace {

// (module, name) as one unambiguous key: the module's length, the module, the name.
void test_key(std::string& key, std::string_view module, std::string_view name) {
    const auto length = static_cast<std::uint32_t>(module.size());
    key.assign(reinterpret_cast<const char*>(&length), sizeof length);
    key.append(module);
    key.append(name);
}

}  // namespace

Analyzer::Analyzer(const AnalyzerOptions& options) : options_(options) {
    overall_.samples = SampleSet(options_.sample_cap);
}

Analyzer::Group& Analyzer::module_group(std::string_view module) {
    auto it = modules_.find(module);
    if (it == modules_.end()) {
        it = modules_.emplace(std::string(module), Group{}).first;
        it->second.samples = SampleSet(options_.sample_cap);
        it->second.name = it->second.module = module;
    }
    return it->second;
}

void Analyzer::add_to(Group& g, const TraceRecord& r) {
    const std::size_t before = g.samples.exact_bytes();
    g.samples.add(r);
    exact_bytes_ = exact_bytes_ - before + g.samples.exact_bytes();
}

void Analyzer::add(const TraceRecord& r) {
    add_to(overall_, r);
    const std::string_view module = r.module.empty() ? std::string_view(unknown_module) : std::string_view(r.module);
    if (r.system_metric) {  // event-loop records are not tests
        add_to(module_group(module), r);
    } else {
        test_key(key_, module, r.name);
        auto it = tests_.find(std::string_view(key_));
        if (it == tests_.end()) {
            Group& m = module_group(module);
            it = tests_.emplace(key_, Group{}).first;
            Group& t = it->second;
            t.samples = SampleSet(options_.sample_cap);
            t.name = r.name;
            t.module = module;
            t.module_group = &m;
        }
        Group& g = it->second;
        add_to(*g.module_group, r);
        add_to(g, r);
        if (g.filename.empty() && !r.filename.empty()) {
            g.filename = r.filename;
            g.lineno = r.lineno;
        }
        if (r.error && g.first_failure.empty()) {
            g.first_failure = r.exception_type.empty() ? "error" : r.exception_type;
            if (!r.exception_message.empty()) g.first_failure += ": " + r.exception_message;
        }
    }
    if (exact_bytes_ > options_.exact_memory_bytes) enforce_memory_budget();
}

void Analyzer::enforce_memory_budget() {
    std::vector<Group*> exact;
    if (overall_.samples.exact()) exact.push_back(&overall_);
    for (auto* map : {&modules_, &tests_})
        for (auto& [key, g] : *map)
            if (g.samples.exact() && g.samples.exact_bytes() > 0) exact.push_back(&g);
    // Most runs first; ties in a fixed order, whatever the hash maps' order.
    auto kind = [this](const Group* g) { return g == &overall_ ? 0 : g->module_group == nullptr ? 1 : 2; };
    std::sort(exact.begin(), exact.end(), [&kind](const Group* a, const Group* b) {
        if (a->samples.count() != b->samples.count()) return a->samples.count() > b->samples.count();
        if (kind(a) != kind(b)) return kind(a) < kind(b);
        return std::tie(a->module, a->name) < std::tie(b->module, b->name);
    });
    const std::size_t target = options_.exact_memory_bytes / 4 * 3;
    for (Group* g : exact) {
        if (exact_bytes_ <= target) break;
        exact_bytes_ -= g->samples.exact_bytes();
        g->samples.switch_to_sketches();
    }
}

GroupResult Analyzer::summarize(const Group& g, const ScoringConfig& cfg) {
    GroupResult out;
    out.name = g.name;
    out.module = g.module;
    out.records = g.samples.count();
    out.errors = g.samples.error_count();
    out.score = g.samples.score(cfg);
    out.filename = g.filename;
    out.lineno = g.lineno;
    out.first_failure = g.first_failure;
    out.exact = g.samples.exact();
    const SampleSet::DurationSummary d = g.samples.duration_summary();
    out.duration_mean = d.mean;
    out.duration_p50 = d.p50;
    out.duration_p95 = d.p95;
    out.duration_max = d.max;
    out.memory_peak = g.samples.memory_peak();
    return out;
}

Analysis Analyzer::result(const ScoringConfig& cfg) const {
    Analysis a;
    a.overall = overall_.samples.score(cfg);
    a.overall_exact = overall_.samples.exact();
    a.records = overall_.samples.count();
    a.errors = overall_.samples.error_count();
    a.estimated_groups = a.overall_exact ? 0 : 1;

    std::vector<const Group*> modules;
    for (const auto& [key, g] : modules_) modules.push_back(&g);
    std::sort(modules.begin(), modules.end(), [](const Group* x, const Group* y) { return x->name < y->name; });
    for (const Group* g : modules) a.modules.push_back(summarize(*g, cfg));

    std::vector<const Group*> tests;
    for (const auto& [key, g] : tests_) tests.push_back(&g);
    std::sort(tests.begin(), tests.end(), [](const Group* x, const Group* y) {
        return std::tie(x->module, x->name) < std::tie(y->module, y->name);
    });
    for (const Group* g : tests) a.tests.push_back(summarize(*g, cfg));

    for (const auto* list : {&a.modules, &a.tests})
        for (const GroupResult& r : *list) a.estimated_groups += r.exact ? 0 : 1;
    std::stable_sort(a.tests.begin(), a.tests.end(),
                     [](const GroupResult& x, const GroupResult& y) { return x.score.pss < y.score.pss; });
    return a;
}

}  // namespace pss
