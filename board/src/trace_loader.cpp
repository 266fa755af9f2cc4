// A trace file as the board's newest run: scored by the engine, with every
// test's runs kept for the distributions, the error heatmap, the branch
// entropy over runs and the failure messages (pss/board/model.hpp).
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "pss/board/model.hpp"
#include "pss/ingest/trace_reader.hpp"
#include "pss/scoring/analyzer.hpp"

namespace pss::board {

namespace {

std::uint8_t scaled(double score) {
    return std::isfinite(score) ? static_cast<std::uint8_t>(std::lround(std::clamp(score, 0.0, 1.0) * 200)) : 0;
}

}  // namespace

void load_traces(Model& model, const std::filesystem::path& file, const Config& config) {
    model.traces_location = file.string();
    AnalyzerOptions options;
    options.tests_only = true;
    Analyzer analyzer(options);
    std::map<std::pair<std::string, std::string>, TraceDetail> details;
    double first_timestamp = 0;
    read_trace_file(file, [&](const TraceRecord& r) {
        if (r.system_metric || (!r.kind.empty() && r.kind != "test")) return;
        analyzer.add(r);
        if (first_timestamp == 0 || (r.timestamp > 0 && r.timestamp < first_timestamp)) first_timestamp = r.timestamp;
        TraceDetail& d = details[{r.module.empty() ? unknown_module : r.module, r.name}];
        if (d.durations.size() >= max_trace_runs) return;
        if (r.exception_type == "skipped") return;
        d.durations.push_back(static_cast<float>(r.duration));
        d.memory.push_back(static_cast<float>(r.memory));
        d.failed.push_back(r.error ? 1 : 0);
        std::uint32_t tag = 0;
        if (r.branch_tag && !r.branch_tag->empty()) {
            auto it = std::find(d.branch_tags.begin(), d.branch_tags.end(), *r.branch_tag);
            if (it == d.branch_tags.end() && d.branch_tags.size() < 256) it = d.branch_tags.insert(it, *r.branch_tag);
            if (it != d.branch_tags.end()) tag = static_cast<std::uint32_t>(it - d.branch_tags.begin());
        }
        d.branch.push_back(tag);
        if (r.error && d.failures.size() < max_failures)
            d.failures.push_back({r.run, r.exception_type, r.exception_message.substr(0, 2000),
                                  r.failure_file.empty() ? r.filename : r.failure_file,
                                  r.failure_file.empty() ? r.lineno : r.failure_line});
    });
    const Analysis analysis = analyzer.result(config.scoring);

    Run run;
    run.id = -1;
    run.started_at = first_timestamp;
    run.branch = "traces";
    run.source = file.string();
    run.pss = analysis.overall.score.pss;
    run.breakdown = analysis.overall.score.breakdown;
    run.tests = static_cast<std::int64_t>(analysis.tests.size());
    run.gate_exit = 0;
    const auto run_index = static_cast<std::uint32_t>(model.runs.size());

    std::unordered_map<std::string, std::uint32_t> index;
    for (std::size_t i = 0; i < model.tests.size(); ++i)
        index.emplace(model.tests[i].module + '\0' + model.tests[i].name, static_cast<std::uint32_t>(i));
    for (const TestResult& t : analysis.tests) {
        if (needs_attention(t.verdict) && t.verdict != Verdict::not_applicable) run.gate_exit = 1;
        auto [it, added] = index.emplace(t.module + '\0' + t.name, static_cast<std::uint32_t>(model.tests.size()));
        if (added) {
            Test test;
            test.name = t.name;
            test.module = t.module;
            test.binary = t.binary;
            test.suite = t.module;
            model.tests.push_back(std::move(test));
        }
        Test& test = model.tests[it->second];
        test.file = t.filename;
        test.line = t.lineno;
        Cell c;
        c.run = run_index;
        c.pss = static_cast<std::uint8_t>(std::clamp(t.score.pss, 0, 100));
        c.verdict = verdict_index(std::string(to_string(t.verdict)));
        const SubScores& b = t.score.breakdown;
        const double subs[5] = {b.timing_stability, b.memory_stability, b.error_volatility, b.branching_entropy,
                                b.concurrency_chaos};
        for (int i = 0; i < 5; ++i) c.sub[i] = scaled(subs[i]);
        c.runs = static_cast<std::uint16_t>(std::min<std::uint64_t>(t.runs, 65535));
        c.failures = static_cast<std::uint16_t>(std::min<std::uint64_t>(t.failures, 65535));
        c.p50 = static_cast<float>(t.duration.p50);
        c.p95 = static_cast<float>(t.duration.p95);
        ++run.verdicts[c.verdict];
        test.cells.push_back(c);
        if (auto d = details.find({t.module, t.name}); d != details.end()) {
            d->second.metrics = t.metrics;
            test.detail = static_cast<std::int32_t>(model.details.size());
            model.details.push_back(std::move(d->second));
        }
    }
    model.runs.push_back(std::move(run));
}

}  // namespace pss::board
