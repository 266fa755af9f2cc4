#include <cmath>

#include <nlohmann/json.hpp>

#include "escape.hpp"
#include "format_util.hpp"
#include "pss/reports/run_report.hpp"

namespace pss::reports {

namespace {

using json = nlohmann::ordered_json;

double r4(double v) { return rounded_subscore(v); }

json breakdown(const SubScores& s) {
    return json{{"timing_stability", r4(s.timing_stability)},
                {"memory_stability", r4(s.memory_stability)},
                {"error_volatility", r4(s.error_volatility)},
                {"branching_entropy", r4(s.branching_entropy)},
                {"concurrency_chaos", r4(s.concurrency_chaos)}};
}

json test_json(const TestResult& t, std::optional<int> baseline) {
    json failures = json::array();
    for (const auto& f : t.failure_samples)
        failures.push_back(json{{"run", f.run}, {"kind", f.kind}, {"message", f.message}, {"file", f.file},
                                {"line", f.line}, {"output", f.output}});
    json runs = json::array();
    for (std::size_t i = 0; i < t.durations.size(); ++i)
        runs.push_back(json{{"duration", t.durations[i]}, {"memory", t.memory[i]}, {"failed", bool(t.failed[i])}});
    return json{{"name", t.name},
                {"module", t.module},
                {"binary", t.binary},
                {"file", t.filename},
                {"line", t.lineno},
                {"verdict", std::string(to_string(t.verdict))},
                {"pss", t.score.pss},
                {"baseline_pss", baseline ? json(*baseline) : json(nullptr)},
                {"breakdown", breakdown(t.score.breakdown)},
                {"runs", t.runs},
                {"failures", t.failures},
                {"skipped", t.skipped},
                {"pass_rate", t.runs ? static_cast<double>(t.runs - t.failures) / static_cast<double>(t.runs) : 0.0},
                {"quarantined", t.quarantined},
                {"order_dependent", t.order_dependent},
                {"observations", t.observations},
                {"duration", json{{"mean", t.duration_mean}, {"p50", t.duration_p50}, {"p95", t.duration_p95},
                                  {"max", t.duration_max}}},
                {"memory", json{{"peak", t.memory_peak}, {"leaking_runs", t.leaking_runs}}},
                {"failure_samples", std::move(failures)},
                {"run_data", std::move(runs)}};
}

// Invalid UTF-8 becomes U+FFFD the same way every renderer replaces it, so a
// report rendered from this JSON matches one rendered directly.
void make_valid_utf8(json& j) {
    if (j.is_string()) j = valid_utf8(j.get_ref<const std::string&>());
    else if (j.is_structured())
        for (auto& v : j) make_valid_utf8(v);
}

}  // namespace

std::string render_run_json(const RunReport& report) {
    const auto& m = report.meta;
    json j;
    j["schema_version"] = 1;
    j["tool"] = json{{"name", "pss"}, {"version", m.pss_version}};
    j["run"] = json{{"started_at", m.started_at},
                    {"finished_at", m.finished_at},
                    {"host", m.host},
                    {"binaries", m.binaries},
                    {"modes", m.modes},
                    {"repeat", m.repeat},
                    {"shuffle", m.shuffle},
                    {"seed", m.seed},
                    {"fail_below", m.fail_below},
                    {"git_commit", m.git_commit},
                    {"git_branch", m.git_branch},
                    {"command_line", m.command_line}};
    j["pss"] = report.overall.pss;
    j["breakdown"] = breakdown(report.overall.breakdown);
    const auto& s = report.summary;
    j["summary"] = json{{"tests", s.tests},     {"stable", s.stable},   {"unstable", s.unstable},
                        {"flaky", s.flaky},     {"failing", s.failing}, {"regressed", s.regressed},
                        {"n/a", s.not_applicable}, {"quarantined", s.quarantined}};
    j["gate"] = json{{"exit_code", report.gate.exit_code}, {"passed", report.gate.exit_code == 0},
                     {"reason", report.gate.reason}};
    j["notes"] = report.notes;
    json tests = json::array();
    for (const auto& t : report.tests) tests.push_back(test_json(t, baseline_of(report, t)));
    j["tests"] = std::move(tests);
    make_valid_utf8(j);
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace pss::reports
