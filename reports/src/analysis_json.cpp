#include <cmath>

#include <nlohmann/json.hpp>

#include "pss/reports/analysis_report.hpp"

namespace pss::reports {

namespace {

using json = nlohmann::ordered_json;

double round_to(double v, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(v * scale) / scale;
}

json breakdown(const SubScores& s) {
    // pypss's keys; four decimals keep them comparable with pypss's two.
    return json{{"timing_stability", round_to(s.timing_stability, 4)},
                {"memory_stability", round_to(s.memory_stability, 4)},
                {"error_volatility", round_to(s.error_volatility, 4)},
                {"branching_entropy", round_to(s.branching_entropy, 4)},
                {"concurrency_chaos", round_to(s.concurrency_chaos, 4)}};
}

json group(const GroupResult& g, bool is_test) {
    json j;
    if (is_test) {
        j["name"] = g.name;
        j["module"] = g.module;
    }
    j["pss"] = g.score.pss;
    j["breakdown"] = breakdown(g.score.breakdown);
    j["records"] = g.records;
    j["errors"] = g.errors;
    if (is_test) {
        j["duration_mean"] = g.duration_mean;
        j["duration_p50"] = g.duration_p50;
        j["duration_p95"] = g.duration_p95;
        j["duration_max"] = g.duration_max;
        j["memory_peak"] = g.memory_peak;
        j["filename"] = g.filename;
        j["lineno"] = g.lineno;
        if (!g.first_failure.empty()) j["first_failure"] = g.first_failure;
    }
    return j;
}

const char* format_name(TraceFormat f) {
    switch (f) {
        case TraceFormat::json_array: return "json_array";
        case TraceFormat::pypss_object: return "pypss_object";
        case TraceFormat::ndjson: break;
    }
    return "ndjson";
}

}  // namespace

std::string render_analysis_json(const AnalysisReport& report) {
    const Analysis& a = report.analysis;
    json j;
    j["pss"] = a.overall.pss;
    j["breakdown"] = breakdown(a.overall.breakdown);
    j["records"] = a.records;
    j["errors"] = a.errors;
    json modules = json::object();
    for (const auto& m : a.modules) modules[m.name] = group(m, false);
    j["modules"] = std::move(modules);
    json tests = json::array();
    for (const auto& t : a.tests) tests.push_back(group(t, true));
    j["tests"] = std::move(tests);
    if (!report.regressions.empty()) j["regressions"] = report.regressions;
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
