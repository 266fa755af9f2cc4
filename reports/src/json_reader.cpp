// Reads the JSON that render_run_json writes (schema in reports/SCHEMA.md).
// Strict about what the renderers need, tolerant of fields it does not know,
// so a file from a newer pss with additive fields still renders.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pss/reports/json_reader.hpp"
#include "pss/scoring/gate.hpp"

namespace pss::reports {

namespace {

using json = nlohmann::json;

// Version 3 counts runs from 1 (as every report shows them); 2 counted from 0.
constexpr int oldest_schema = 2, supported_schema = 3;

// Whether the number `v` converts to the integer type T without leaving its
// range: nlohmann's get<T>() casts, which is undefined behaviour for a double
// out of range (1e300 as an int) and wraps an integer that is too large.
template <class T>
bool integer_fits(const json& v) {
    using limits = std::numeric_limits<T>;
    if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(limits::max());
    if (v.is_number_integer()) {
        const std::int64_t i = v.get<std::int64_t>();
        if (i < 0) return limits::is_signed && i >= static_cast<std::int64_t>(limits::min());
        return static_cast<std::uint64_t>(i) <= static_cast<std::uint64_t>(limits::max());
    }
    // A double converts by truncation; it fits when the result does. 2^digits
    // is max + 1 exactly, also where max itself is no double.
    const double d = v.get<double>();
    const double above_max = std::ldexp(1.0, limits::digits);
    const double min = limits::is_signed ? -above_max : 0.0;
    return d > min - 1.0 && d < above_max;
}

// A field of `obj` converted to T; names the field when it is missing,
// mistyped, or a number out of T's range.
template <class T>
T field(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end()) throw ReportFormatError(fmt::format("{}: missing field '{}'", where, key));
    auto out_of_range = [&](const json& v) {
        return ReportFormatError(fmt::format("{}: field '{}' is out of range ({})", where, key, v.dump()));
    };
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        if (it->is_number() && !integer_fits<T>(*it)) throw out_of_range(*it);
    } else if constexpr (std::is_same_v<T, std::vector<int>>) {
        if (it->is_array())
            for (const json& v : *it)
                if (v.is_number() && !integer_fits<int>(v)) throw out_of_range(v);
    }
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        throw ReportFormatError(fmt::format("{}: field '{}' has the wrong type ({})", where, key, it->type_name()));
    }
}

// A PSS: a whole number from 0 to 100.
int pss_field(const json& obj, const char* key, const std::string& where) {
    const int pss = field<int>(obj, key, where);
    if (pss < 0 || pss > 100)
        throw ReportFormatError(fmt::format("{}: field '{}' is a PSS, from 0 to 100, not {}", where, key, pss));
    return pss;
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
    if (auto v = verdict_from_string(s)) return *v;
    throw ReportFormatError(fmt::format("{}: unknown verdict '{}'", where, s));
}

DurationSummary duration_from(const json& d, const std::string& where) {
    return {field<double>(d, "mean", where), field<double>(d, "p50", where), field<double>(d, "p95", where),
            field<double>(d, "max", where)};
}

SubScores breakdown_from(const json& b, const std::string& where) {
    return {field<double>(b, "timing_stability", where), field<double>(b, "memory_stability", where),
            field<double>(b, "error_volatility", where), field<double>(b, "branching_entropy", where),
            field<double>(b, "concurrency_chaos", where)};
}

// A run as the file numbers it (from `first_run`) as pss does (from 0).
std::int64_t run_from(std::int64_t written, std::int64_t first_run, const std::string& where) {
    if (written < std::numeric_limits<std::int64_t>::min() + first_run)
        throw ReportFormatError(fmt::format("{}: field 'run' is out of range ({})", where, written));
    return written - first_run;
}

TestResult test_from(const json& j, const std::string& where, int version, int fail_below) {
    const std::int64_t first_run = version >= 3 ? 1 : 0;
    if (!j.is_object()) throw ReportFormatError(where + ": not an object");
    TestResult t;
    t.name = field<std::string>(j, "name", where);
    t.module = field<std::string>(j, "module", where);
    t.binary = field<std::string>(j, "binary", where);
    t.filename = field<std::string>(j, "file", where);
    t.lineno = field<std::int64_t>(j, "line", where);
    t.verdict = verdict_from(field<std::string>(j, "verdict", where), where);
    t.score.pss = pss_field(j, "pss", where);
    t.score.breakdown = breakdown_from(object(j, "breakdown", where), where + ".breakdown");
    t.steady_score.pss = optional_field<int>(j, "steady_pss", where, t.score.pss);
    if (auto b = j.find("baseline_pss"); b != j.end() && !b->is_null()) t.baseline_pss = field<int>(j, "baseline_pss", where);
    if (const int pypss = optional_field<int>(j, "pypss_pss", where, t.score.pss); pypss != t.score.pss)
        t.pypss_pss = pypss;
    t.pss_trend = optional_field<std::vector<int>>(j, "pss_trend", where, {});
    t.runs = field<std::uint64_t>(j, "runs", where);
    t.warmup_runs = optional_field<std::uint64_t>(j, "warmup_runs", where, 0);
    t.failures = field<std::uint64_t>(j, "failures", where);
    t.skipped = field<std::uint64_t>(j, "skipped", where);
    t.quarantined = field<bool>(j, "quarantined", where);
    t.order_dependent = field<bool>(j, "order_dependent", where);
    if (auto c = j.find("confidence"); c != j.end() && c->is_object()) {
        const std::string w = where + ".confidence";
        t.confidence.runs = field<std::uint64_t>(*c, "runs", w);
        t.confidence.failures = field<std::uint64_t>(*c, "failures", w);
        t.confidence.failure_rate_low = field<double>(*c, "failure_rate_low", w);
        t.confidence.failure_rate_high = field<double>(*c, "failure_rate_high", w);
        t.confidence.weak = field<bool>(*c, "weak", w);
        t.confidence.reason = optional_field<std::string>(*c, "reason", w, {});
    }
    std::size_t i = 0;
    for (const auto& o : array(j, "observations", where)) {
        const std::string w = fmt::format("{}.observations[{}]", where, i++);
        const std::string kind = field<std::string>(o, "kind", w);
        const auto k = observation_kind_from_string(kind);
        if (!k) continue;  // a kind from a newer pss: skipped, as unknown fields are
        t.observations.push_back({*k, field<std::string>(o, "text", w)});
    }
    if (auto ms = j.find("metrics"); ms != j.end() && ms->is_array()) {
        i = 0;
        for (const auto& m : *ms) {
            const std::string w = fmt::format("{}.metrics[{}]", where, i++);
            MetricStability s;
            s.name = field<std::string>(m, "name", w);
            s.runs = field<std::uint64_t>(m, "runs", w);
            s.mean = field<double>(m, "mean", w);
            s.min = optional_field<double>(m, "min", w, s.mean);
            s.max = optional_field<double>(m, "max", w, s.mean);
            s.cv = field<double>(m, "cv", w);
            s.score = field<double>(m, "score", w);
            s.weight = optional_field<double>(m, "weight", w, 0.0);
            t.metrics.push_back(std::move(s));
        }
    }
    t.duration = duration_from(object(j, "duration", where), where + ".duration");
    t.timing_resolution = optional_field<double>(j, "timing_resolution", where, 0.0);
    const json& m = object(j, "memory", where);
    t.memory_peak = field<double>(m, "peak", where + ".memory");
    t.heap_measured = optional_field<bool>(m, "measured", where + ".memory", true);
    t.leaking_runs = field<std::uint64_t>(m, "leaking_runs", where + ".memory");
    t.exact = optional_field<bool>(j, "exact", where, true);
    i = 0;
    for (const auto& f : array(j, "failure_samples", where)) {
        const std::string w = fmt::format("{}.failure_samples[{}]", where, i++);
        FailureSample s;
        s.run = run_from(field<std::int64_t>(f, "run", w), first_run, w);
        s.type = field<std::string>(f, "type", w);
        s.kind = failure_kind(s.type);
        s.message = field<std::string>(f, "message", w);
        s.file = field<std::string>(f, "file", w);
        s.line = field<std::int64_t>(f, "line", w);
        s.output = optional_field<std::string>(f, "output", w, {});
        t.failure_samples.push_back(std::move(s));
    }
    i = 0;
    for (const auto& r : array(j, "run_data", where)) {
        const std::string w = fmt::format("{}.run_data[{}]", where, i);
        const auto written = optional_field<std::int64_t>(r, "run", w, static_cast<std::int64_t>(i) + first_run);
        t.series.push_back(RunPoint{run_from(written, first_run, w), field<double>(r, "duration", w),
                                    field<double>(r, "memory", w),
                                    field<bool>(r, "failed", w), optional_field<bool>(r, "warmup", w, false)});
        ++i;
    }
    // Files older than the field: what the gate would have said with its defaults.
    GatePolicy policy;
    policy.fail_below = fail_below;
    t.fails_gate = optional_field<bool>(j, "fails_gate", where, fails_gate(t, policy));
    return t;
}

MachineNoise noise_from(const json& run) {
    MachineNoise n;
    auto it = run.find("machine_noise");
    if (it == run.end() || !it->is_object()) return n;
    const std::string w = "run.machine_noise";
    n.measured = true;
    n.level = field<std::string>(*it, "level", w);
    n.samples = field<std::uint64_t>(*it, "samples", w);
    n.p50 = field<double>(*it, "p50", w);
    n.p95 = field<double>(*it, "p95", w);
    n.ratio = field<double>(*it, "ratio", w);
    n.run_delay_share = field<double>(*it, "run_delay_share", w);
    n.wakeup_ratio = optional_field<double>(*it, "wakeup_ratio", w, 1.0);
    n.wakeup_p50 = optional_field<double>(*it, "wakeup_p50", w, 0.0);
    n.wakeup_p95 = optional_field<double>(*it, "wakeup_p95", w, 0.0);
    return n;
}

}  // namespace

RunResults read_run_json(std::string_view text) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
        throw ReportFormatError(fmt::format("not valid JSON ({})", e.what()));
    }
    if (!j.is_object() || !j.contains("schema_version"))
        throw ReportFormatError("not a pss results file: no 'schema_version' (write one with pss-run --json FILE)");
    const int version = field<int>(j, "schema_version", "results");
    if (version < oldest_schema || version > supported_schema)
        throw ReportFormatError(fmt::format("schema_version {} is not supported (this pss reads versions {} to {}); "
                                            "render it with the pss that wrote it",
                                            version, oldest_schema, supported_schema));
    RunResults report;
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
    meta.repository_root = optional_field<std::string>(run, "repository_root", "run", {});
    meta.command_line = field<std::vector<std::string>>(run, "command_line", "run");
    meta.warmup = optional_field<int>(run, "warmup", "run", 0);
    meta.adaptive = optional_field<bool>(run, "adaptive", "run", false);
    meta.noise = noise_from(run);
    meta.pss_version = field<std::string>(object(j, "tool", "results"), "version", "tool");

    report.overall.pss = pss_field(j, "pss", "results");
    report.mean_pss = optional_field<int>(j, "mean_pss", "results", report.overall.pss);
    if (auto b = j.find("baseline"); b != j.end() && b->is_object()) {
        report.baseline_branch = optional_field<std::string>(*b, "branch", "baseline", {});
        report.baseline_runs = optional_field<std::size_t>(*b, "runs", "baseline", 0);
        if (auto p = b->find("pss"); p != b->end() && !p->is_null()) report.baseline_pss = pss_field(*b, "pss", "baseline");
    }
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
    sum.weak = optional_field<std::uint64_t>(s, "weak", "summary", 0);
    sum.overall_pss = report.overall.pss;
    const json& gate = object(j, "gate", "results");
    report.gate.exit_code = field<int>(gate, "exit_code", "gate");
    report.gate.reason = field<std::string>(gate, "reason", "gate");
    report.notes = field<std::vector<std::string>>(j, "notes", "results");
    if (j.contains("process_failures")) {  // since pss 0.1 schema 2; older files have none
        std::size_t k = 0;
        for (const auto& f : array(j, "process_failures", "results")) {
            const std::string w = fmt::format("process_failures[{}]", k++);
            report.process_failures.push_back(ProcessFailure{field<std::string>(f, "binary", w),
                                                             field<std::string>(f, "what", w),
                                                             field<std::uint64_t>(f, "processes", w),
                                                             field<std::string>(f, "output", w)});
        }
    }
    std::size_t i = 0;
    for (const auto& r : array(j, "regressions", "results")) {
        const std::string w = fmt::format("regressions[{}]", i++);
        Regression g;
        g.test = field<std::string>(r, "test", w);
        g.module = field<std::string>(r, "module", w);
        const std::string rule = field<std::string>(r, "rule", w);
        for (RegressionRule k : {RegressionRule::pss_drop, RegressionRule::slower, RegressionRule::new_failure})
            if (to_string(k) == rule) g.rule = k;
        g.message = field<std::string>(r, "message", w);
        g.baseline = field<double>(r, "baseline", w);
        g.current = field<double>(r, "current", w);
        g.p_value = field<double>(r, "p_value", w);
        g.relative_change = field<double>(r, "relative_change", w);
        report.regressions.push_back(std::move(g));
    }
    i = 0;
    for (const auto& t : array(j, "tests", "results"))
        report.tests.push_back(test_from(t, fmt::format("tests[{}]", i++), version, meta.fail_below));
    return report;
}

}  // namespace pss::reports
