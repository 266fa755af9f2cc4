#include "json_util.hpp"
#include "pss/reports/analysis_report.hpp"
#include "report_util.hpp"

namespace pss::reports {

namespace {

using json = ordered_json;

json group(const GroupResult& g) {
    return json{{"pss", g.score.pss}, {"breakdown", subscores_json(g.score.breakdown)}, {"records", g.runs},
                {"errors", g.failures}};
}

json test(const TestResult& t) {
    json j{{"name", t.name}, {"module", t.module}, {"pss", t.score.pss}, {"breakdown", subscores_json(t.score.breakdown)},
           {"records", t.runs}, {"errors", t.failures}, {"verdict", std::string(to_string(t.verdict))},
           {"duration_mean", t.duration.mean}, {"duration_p50", t.duration.p50}, {"duration_p95", t.duration.p95},
           {"duration_max", t.duration.max}, {"memory_peak", t.memory_peak}, {"filename", t.filename},
           {"lineno", t.lineno}};
    if (t.pypss_pss) j["pypss_pss"] = *t.pypss_pss;  // pss caps a test's PSS at its pass rate
    if (!t.metrics.empty()) {
        json metrics = json::array();
        for (const auto& m : t.metrics)
            metrics.push_back(json{{"name", m.name}, {"runs", m.runs}, {"mean", m.mean}, {"min", m.min},
                                   {"max", m.max}, {"cv", m.cv}, {"score", rounded_subscore(m.score)},
                                   {"weight", m.weight}});
        j["metrics"] = std::move(metrics);
    }
    if (!t.failure_samples.empty()) {
        const FailureSample& f = t.failure_samples.front();
        j["first_failure"] = f.message.empty() ? f.type : f.type + ": " + f.message;
    }
    return j;
}

const char* format_name(TraceFormat f) {
    switch (f) {
        case TraceFormat::json_array: return "json_array";
        case TraceFormat::pypss_object: return "pypss_object";
        case TraceFormat::packed: return "packed";
        case TraceFormat::ndjson: break;
    }
    return "ndjson";
}

}  // namespace

std::string render_analysis_json(const AnalysisReport& report) {
    const Analysis& a = report.analysis;
    json j;
    j["pss"] = a.overall.score.pss;
    j["breakdown"] = subscores_json(a.overall.score.breakdown);
    j["records"] = a.records;
    j["errors"] = a.errors;
    json modules = json::object();
    for (const auto& m : a.modules) modules[m.name] = group(m);
    j["modules"] = std::move(modules);
    json tests = json::array();
    for (const auto& t : a.tests) tests.push_back(test(t));
    j["tests"] = std::move(tests);
    if (!report.regressions.empty()) {
        json regressions = json::array();
        for (const auto& r : report.regressions)
            regressions.push_back(
                json{{"test", r.test}, {"module", r.module}, {"rule", std::string(to_string(r.rule))}, {"message", r.message}});
        j["regressions"] = std::move(regressions);
    }
    j["advisor"] = json{{"summary", report.advice.summary},
                        {"observations", report.advice.observations},
                        {"recommendations", report.advice.recommendations}};
    j["source"] = json{{"file", report.source},
                       {"format", format_name(report.read.format)},
                       {"malformed_records", report.read.malformed}};
    if (report.read.malformed > 0) j["source"]["warning"] = report.read.warning();
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace pss::reports
