// The results as JSON (schema_version 3, reports/SCHEMA.md): everything the
// other formats show, so `pss report --from` renders any of them again.
#include <nlohmann/json.hpp>

#include "json_util.hpp"
#include "pss/scoring/verdicts.hpp"
#include "pss/text/escape.hpp"
#include "renderers.hpp"
#include "report_util.hpp"

namespace pss::reports {

namespace {

using json = ordered_json;

// Invalid UTF-8 becomes U+FFFD the same way every renderer replaces it, so a
// report rendered from this JSON matches one rendered directly.
void make_valid_utf8(json& j) {
    if (j.is_string()) j = text::valid_utf8(j.get_ref<const std::string&>());
    else if (j.is_structured())
        for (auto& v : j) make_valid_utf8(v);
}

json confidence_json(const Confidence& c) {
    return json{{"runs", c.runs},
                {"failures", c.failures},
                {"failure_rate_low", c.failure_rate_low},
                {"failure_rate_high", c.failure_rate_high},
                {"weak", c.weak},
                {"reason", c.reason},
                {"text", describe(c)}};
}

json test_json(const TestResult& t) {
    json failures = json::array();
    for (const auto& f : t.failure_samples)
        failures.push_back(json{{"run", shown_run(f.run)}, {"type", f.type}, {"kind", std::string(to_string(f.kind))},
                                {"message", f.message}, {"file", f.file}, {"line", f.line}, {"output", f.output}});
    json observations = json::array();
    for (const auto& o : t.observations)
        observations.push_back(json{{"kind", std::string(to_string(o.kind))}, {"text", o.text}});
    json metrics = json::array();
    for (const auto& m : t.metrics)
        metrics.push_back(json{{"name", m.name}, {"runs", m.runs}, {"mean", m.mean}, {"min", m.min}, {"max", m.max},
                               {"cv", m.cv}, {"score", rounded_subscore(m.score)}, {"weight", m.weight}});
    return json{{"name", t.name},
                {"module", t.module},
                {"binary", t.binary},
                {"file", t.filename},
                {"line", t.lineno},
                {"verdict", std::string(to_string(t.verdict))},
                {"pss", t.score.pss},
                {"steady_pss", t.steady_score.pss},
                {"pypss_pss", t.pypss_pss.value_or(t.score.pss)},
                {"baseline_pss", t.baseline_pss ? json(*t.baseline_pss) : json(nullptr)},
                {"pss_trend", t.pss_trend},
                {"fails_gate", t.fails_gate},
                {"breakdown", subscores_json(t.score.breakdown)},
                {"runs", t.runs},
                {"warmup_runs", t.warmup_runs},
                {"failures", t.failures},
                {"skipped", t.skipped},
                {"pass_rate", t.pass_rate()},
                {"confidence", confidence_json(t.confidence)},
                {"quarantined", t.quarantined},
                {"order_dependent", t.order_dependent},
                {"observations", std::move(observations)},
                {"metrics", std::move(metrics)},
                {"duration", duration_json(t.duration)},
                {"timing_resolution", t.timing_resolution},
                {"memory", json{{"peak", t.memory_peak}, {"measured", t.heap_measured},
                                {"leaking_runs", t.leaking_runs}}},
                {"exact", t.exact},
                {"failure_samples", std::move(failures)},
                {"run_data", json::array()}};  // written by append_run_data, one compact line a run
}

// A test's runs, one compact object a line: a run of 100,000 runs stays
// readable and a third the size of one key a line.
void append_run_data(std::string& out, const TestResult& t, const std::string& indent) {
    if (t.series.empty()) {
        out += "[]";
        return;
    }
    out += "[";
    for (std::size_t i = 0; i < t.series.size(); ++i) {
        const RunPoint& p = t.series[i];
        out += i == 0 ? "\n" : ",\n";
        out += indent + "  ";
        out += json{{"run", shown_run(p.run)}, {"duration", p.duration}, {"memory", p.memory}, {"failed", p.failed},
                    {"warmup", p.warmup}}
                   .dump();
    }
    out += "\n" + indent + "]";
}

// One test as an element of the top-level "tests" array (4 spaces in).
void append_test(std::string& out, const TestResult& t) {
    json j = test_json(t);
    make_valid_utf8(j);
    const std::string text = j.dump(2, ' ', false, json::error_handler_t::replace);
    const std::string marker = "\"run_data\": []";
    const std::size_t at = text.rfind(marker);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == at) {
            out += "\"run_data\": ";
            append_run_data(out, t, "      ");
            i += marker.size() - 1;
            continue;
        }
        out += text[i];
        if (text[i] == '\n') out += "    ";
    }
}

json noise_json(const MachineNoise& n) {
    if (!n.measured) return nullptr;
    return json{{"level", n.level},
                {"samples", n.samples},
                {"p50", n.p50},
                {"p95", n.p95},
                {"ratio", n.ratio},
                {"wakeup_ratio", n.wakeup_ratio},
                {"wakeup_p50", n.wakeup_p50},
                {"wakeup_p95", n.wakeup_p95},
                {"run_delay_share", n.run_delay_share}};
}


}  // namespace

std::string render_json(const RunResults& results, const RenderOptions&) {
    const auto& m = results.meta;
    json j;
    j["schema_version"] = 3;
    j["tool"] = json{{"name", "pss"}, {"version", m.pss_version}};
    j["run"] = json{{"started_at", m.started_at},
                    {"finished_at", m.finished_at},
                    {"host", m.host},
                    {"binaries", m.binaries},
                    {"modes", m.modes},
                    {"repeat", m.repeat},
                    {"warmup", m.warmup},
                    {"adaptive", m.adaptive},
                    {"shuffle", m.shuffle},
                    {"seed", m.seed},
                    {"fail_below", m.fail_below},
                    {"git_commit", m.git_commit},
                    {"git_branch", m.git_branch},
                    {"repository_root", m.repository_root},
                    {"command_line", m.command_line},
                    {"machine_noise", noise_json(m.noise)}};
    j["pss"] = results.overall.pss;
    j["mean_pss"] = results.mean_pss;
    j["baseline"] = json{{"branch", results.baseline_branch},
                         {"runs", results.baseline_runs},
                         {"pss", results.baseline_pss ? json(*results.baseline_pss) : json(nullptr)}};
    j["breakdown"] = subscores_json(results.overall.breakdown);
    const auto& s = results.summary;
    j["summary"] = json{{"tests", s.tests},     {"stable", s.stable},   {"unstable", s.unstable},
                        {"flaky", s.flaky},     {"failing", s.failing}, {"regressed", s.regressed},
                        {"n/a", s.not_applicable}, {"quarantined", s.quarantined}, {"weak", s.weak}};
    j["gate"] = json{{"exit_code", results.gate.exit_code}, {"passed", results.gate.exit_code == 0},
                     {"reason", results.gate.reason}};
    j["notes"] = results.notes;
    json regressions = json::array();
    for (const auto& r : results.regressions)
        regressions.push_back(json{{"test", r.test}, {"module", r.module}, {"rule", std::string(to_string(r.rule))},
                                   {"message", r.message}, {"baseline", r.baseline}, {"current", r.current},
                                   {"p_value", r.p_value}, {"relative_change", r.relative_change}});
    j["regressions"] = std::move(regressions);
    json outside = json::array();
    for (const auto& f : results.process_failures)
        outside.push_back(json{{"binary", f.binary}, {"what", f.what}, {"processes", f.processes}, {"output", f.output}});
    j["process_failures"] = std::move(outside);
    j["tests"] = json::array();
    make_valid_utf8(j);
    const std::string head = j.dump(2, ' ', false, json::error_handler_t::replace);
    // The tests are written one at a time into the array: one test's tree in
    // memory at a time, not a whole run's (a merge of a gigabyte of shards).
    const std::string empty_tests = "\"tests\": []";
    const std::size_t at = head.rfind(empty_tests);
    std::string out(head, 0, at);
    out += "\"tests\": [";
    for (std::size_t i = 0; i < results.tests.size(); ++i) {
        out += i == 0 ? "\n    " : ",\n    ";
        append_test(out, results.tests[i]);
    }
    out += results.tests.empty() ? "]" : "\n  ]";
    out.append(head, at + empty_tests.size());
    out += '\n';
    return out;
}

}  // namespace pss::reports
