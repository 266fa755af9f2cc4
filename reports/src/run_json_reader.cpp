// Reads the JSON that render_run_json writes (schema in reports/SCHEMA.md).
// Strict about what the renderers need, tolerant of fields it does not know,
// so a file from a newer pss with additive fields still renders.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pss/reports/run_json_reader.hpp"

namespace pss::reports {

namespace {

using json = nlohmann::json;

constexpr int supported_schema = 1;

// A field of `obj` converted to T; names the field when it is missing or mistyped.
template <class T>
T field(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) throw ReportFormatError(fmt::format("{}: missing field '{}'", where, key));
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        throw ReportFormatError(fmt::format("{}: field '{}' has the wrong type ({})", where, key, it->type_name()));
    }
}

template <class T>
T optional_field(const json& obj, const char* key, const std::string& where, T fallback) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    return field<T>(obj, key, where);
}

const json& object(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_object())
        throw ReportFormatError(fmt::format("{}: missing object '{}'", where, key));
    return *it;
}

const json& array(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_array()) throw ReportFormatError(fmt::format("{}: missing array '{}'", where, key));
    return *it;
}

Verdict verdict_from(const std::string& s, const std::string& where) {
    for (Verdict v : {Verdict::stable, Verdict::unstable, Verdict::flaky, Verdict::failing, Verdict::regressed,
                      Verdict::not_applicable})
        if (to_string(v) == s) return v;
    throw ReportFormatError(fmt::format("{}: unknown verdict '{}'", where, s));
}

SubScores breakdown_from(const json& b, const std::string& where) {
    return {field<double>(b, "timing_stability", where), field<double>(b, "memory_stability", where),
            field<double>(b, "error_volatility", where), field<double>(b, "branching_entropy", where),
            field<double>(b, "concurrency_chaos", where)};
}

TestResult test_from(const json& j, const std::string& where, std::optional<int>& baseline) {
    if (!j.is_object()) throw ReportFormatError(where + ": not an object");
    TestResult t;
    t.name = field<std::string>(j, "name", where);
    t.module = field<std::string>(j, "module", where);
    t.binary = field<std::string>(j, "binary", where);
    t.filename = field<std::string>(j, "file", where);
    t.lineno = field<std::int64_t>(j, "line", where);
    t.verdict = verdict_from(field<std::string>(j, "verdict", where), where);
    t.score.pss = field<int>(j, "pss", where);
    t.score.breakdown = breakdown_from(object(j, "breakdown", where), where + ".breakdown");
    if (auto b = j.find("baseline_pss"); b != j.end() && !b->is_null()) baseline = field<int>(j, "baseline_pss", where);
    t.runs = field<std::uint64_t>(j, "runs", where);
    t.failures = field<std::uint64_t>(j, "failures", where);
    t.skipped = field<std::uint64_t>(j, "skipped", where);
    t.quarantined = field<bool>(j, "quarantined", where);
    t.order_dependent = field<bool>(j, "order_dependent", where);
    t.observations = field<std::vector<std::string>>(j, "observations", where);
    const json& d = object(j, "duration", where);
    t.duration_mean = field<double>(d, "mean", where + ".duration");
    t.duration_p50 = field<double>(d, "p50", where + ".duration");
    t.duration_p95 = field<double>(d, "p95", where + ".duration");
    t.duration_max = field<double>(d, "max", where + ".duration");
    const json& m = object(j, "memory", where);
    t.memory_peak = field<double>(m, "peak", where + ".memory");
    t.leaking_runs = field<std::uint64_t>(m, "leaking_runs", where + ".memory");
    std::size_t i = 0;
    for (const auto& f : array(j, "failure_samples", where)) {
        const std::string w = fmt::format("{}.failure_samples[{}]", where, i++);
        t.failure_samples.push_back({field<std::int64_t>(f, "run", w), field<std::string>(f, "kind", w),
                                     field<std::string>(f, "message", w), field<std::string>(f, "file", w),
                                     field<std::int64_t>(f, "line", w), optional_field<std::string>(f, "output", w, {})});
    }
    i = 0;
    for (const auto& r : array(j, "run_data", where)) {
        const std::string w = fmt::format("{}.run_data[{}]", where, i++);
        t.durations.push_back(field<double>(r, "duration", w));
        t.memory.push_back(field<double>(r, "memory", w));
        t.failed.push_back(field<bool>(r, "failed", w));
    }
    return t;
}

}  // namespace

RunReport read_run_json(std::string_view text) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ReportFormatError(fmt::format("not valid JSON ({})", e.what()));
    }
    if (!j.is_object() || !j.contains("schema_version"))
        throw ReportFormatError("not a pss results file: no 'schema_version' (write one with pss-run --json FILE)");
    const int version = field<int>(j, "schema_version", "results");
    if (version != supported_schema)
        throw ReportFormatError(fmt::format("schema_version {} is not supported (this pss reads version {}); render it "
                                            "with the pss that wrote it",
                                            version, supported_schema));
    RunReport report;
    const json& run = object(j, "run", "results");
    RunMetadata& meta = report.meta;
    meta.started_at = field<double>(run, "started_at", "run");
    meta.finished_at = field<double>(run, "finished_at", "run");
    meta.host = field<std::string>(run, "host", "run");
    meta.binaries = field<std::vector<std::string>>(run, "binaries", "run");
    meta.modes = field<std::vector<std::string>>(run, "modes", "run");
    meta.repeat = field<int>(run, "repeat", "run");
    meta.shuffle = field<bool>(run, "shuffle", "run");
    meta.seed = field<unsigned>(run, "seed", "run");
    meta.fail_below = field<int>(run, "fail_below", "run");
    meta.git_commit = optional_field<std::string>(run, "git_commit", "run", {});
    meta.git_branch = optional_field<std::string>(run, "git_branch", "run", {});
    meta.command_line = field<std::vector<std::string>>(run, "command_line", "run");
    meta.pss_version = field<std::string>(object(j, "tool", "results"), "version", "tool");

    report.overall.pss = field<int>(j, "pss", "results");
    report.overall.breakdown = breakdown_from(object(j, "breakdown", "results"), "breakdown");
    const json& s = object(j, "summary", "results");
    RunSummary& sum = report.summary;
    sum.tests = field<std::uint64_t>(s, "tests", "summary");
    sum.stable = field<std::uint64_t>(s, "stable", "summary");
    sum.unstable = field<std::uint64_t>(s, "unstable", "summary");
    sum.flaky = field<std::uint64_t>(s, "flaky", "summary");
    sum.failing = field<std::uint64_t>(s, "failing", "summary");
    sum.regressed = field<std::uint64_t>(s, "regressed", "summary");
    sum.not_applicable = field<std::uint64_t>(s, "n/a", "summary");
    sum.quarantined = field<std::uint64_t>(s, "quarantined", "summary");
    sum.overall_pss = report.overall.pss;
    const json& gate = object(j, "gate", "results");
    report.gate.exit_code = field<int>(gate, "exit_code", "gate");
    report.gate.reason = field<std::string>(gate, "reason", "gate");
    report.notes = field<std::vector<std::string>>(j, "notes", "results");
    std::size_t i = 0;
    for (const auto& t : array(j, "tests", "results")) {
        std::optional<int> baseline;
        report.tests.push_back(test_from(t, fmt::format("tests[{}]", i++), baseline));
        if (baseline) report.baseline_pss[{report.tests.back().module, report.tests.back().name}] = *baseline;
    }
    return report;
}

}  // namespace pss::reports
