// pss results in the Prometheus text exposition format (pss/ci/prometheus.hpp).
#include <algorithm>
#include <array>
#include <iterator>
#include <tuple>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "pss/ci/prometheus.hpp"
#include "pss/text/escape.hpp"

namespace pss::ci {

namespace {

constexpr std::size_t max_label_bytes = 200;

// Prometheus reads +Inf, -Inf and NaN, but a score never is one: 0 instead.
std::string number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "0"; }

struct Metric {
    const char* name;
    const char* help;
};
constexpr Metric metrics[] = {
    {"pss_run_pss", "Overall Program Stability Score of the newest run of the branch (0-100)"},
    {"pss_run_subscore", "Sub-scores of the newest run of the branch (0-1)"},
    {"pss_run_tests", "Tests of the newest run of the branch, by verdict"},
    {"pss_run_gate_exit_code", "The gate's exit code for the newest run (0 passed, 1 failed, 3 could not run)"},
    {"pss_run_timestamp_seconds", "When the newest run of the branch started (seconds since the epoch)"},
    {"pss_run_tests_exported", "How many of the run's tests the pss_test_* series cover (the worst first)"},
    {"pss_test_pss", "A test's Program Stability Score in the newest run of the branch (0-100)"},
    {"pss_test_pass_rate", "A test's passed runs / runs in the newest run of the branch (0-1)"},
    {"pss_test_duration_p95_seconds", "A test's 95th percentile duration in the newest run of the branch"},
};

// "Suite" of "binary.Suite" (the listeners' module), else the module itself.
std::string suite_of(const StoredTest& t) {
    if (!t.binary.empty() && t.module.size() > t.binary.size() + 1 && t.module.rfind(t.binary + ".", 0) == 0)
        return t.module.substr(t.binary.size() + 1);
    return t.module;
}

std::string branch_of(const StoredRun& run) { return run.context.branch.empty() ? "none" : run.context.branch; }

}  // namespace

std::string prometheus_label_value(const std::string& value) {
    std::string v = text::valid_utf8(value);
    if (v.size() > max_label_bytes) {
        std::size_t cut = max_label_bytes;
        while (cut > 0 && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) --cut;
        v.resize(cut);
    }
    std::string out;
    out.reserve(v.size() + 2);
    for (const char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

namespace {

// The samples of each metric, in the order of `metrics`: the format wants
// every sample of a metric in one group, whatever branch it belongs to.
using Samples = std::array<std::string, std::size(metrics)>;

void add_run(Samples& samples, const StoredRun& run, const std::vector<StoredTest>& tests,
             const ExpositionLimits& limits) {
    const std::string branch = "branch=\"" + prometheus_label_value(branch_of(run)) + "\"";
    std::string* out = samples.data();
    out[0] += fmt::format("pss_run_pss{{{}}} {}\n", branch, run.pss);
    const std::pair<const char*, double> subscores[] = {
        {"timing_stability", run.breakdown.timing_stability}, {"memory_stability", run.breakdown.memory_stability},
        {"error_volatility", run.breakdown.error_volatility}, {"branching_entropy", run.breakdown.branching_entropy},
        {"concurrency_chaos", run.breakdown.concurrency_chaos}};
    for (const auto& [name, value] : subscores)
        out[1] += fmt::format("pss_run_subscore{{{},subscore=\"{}\"}} {}\n", branch, name, number(value));
    std::map<std::string, std::size_t> verdicts{{"stable", 0},  {"unstable", 0},  {"flaky", 0},
                                                {"failing", 0}, {"regressed", 0}, {"n/a", 0}};
    for (const StoredTest& t : tests) {
        auto it = verdicts.find(t.verdict);
        if (it != verdicts.end()) ++it->second;
    }
    for (const auto& [verdict, count] : verdicts)
        out[2] += fmt::format("pss_run_tests{{{},verdict=\"{}\"}} {}\n", branch, prometheus_label_value(verdict), count);
    out[3] += fmt::format("pss_run_gate_exit_code{{{}}} {}\n", branch, run.gate_exit);
    out[4] += fmt::format("pss_run_timestamp_seconds{{{}}} {}\n", branch, number(run.started_at));

    // The worst tests first, so that the bound keeps what needs attention.
    std::vector<const StoredTest*> order;
    order.reserve(tests.size());
    for (const StoredTest& t : tests) order.push_back(&t);
    const std::size_t n = std::min(limits.max_tests, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                      [](const StoredTest* a, const StoredTest* b) {
                          return std::tie(a->pss, a->module, a->name) < std::tie(b->pss, b->module, b->name);
                      });
    out[5] += fmt::format("pss_run_tests_exported{{{}}} {}\n", branch, n);
    std::set<std::string> seen;  // two tests could map to the same labels: keep the first
    for (std::size_t i = 0; i < n; ++i) {
        const StoredTest& t = *order[i];
        const std::string labels =
            fmt::format("{},binary=\"{}\",suite=\"{}\",test=\"{}\"", branch, prometheus_label_value(t.binary),
                        prometheus_label_value(suite_of(t)), prometheus_label_value(t.name));
        if (!seen.insert(labels).second) continue;
        const double pass_rate =
            t.runs > 0 ? static_cast<double>(t.runs - t.failures) / static_cast<double>(t.runs) : 0.0;
        out[6] += fmt::format("pss_test_pss{{{}}} {}\n", labels, t.pss);
        out[7] += fmt::format("pss_test_pass_rate{{{}}} {}\n", labels, number(pass_rate));
        out[8] += fmt::format("pss_test_duration_p95_seconds{{{}}} {}\n", labels, number(t.p95));
    }
}

std::string assemble(const Samples& samples) {
    std::string out;
    for (std::size_t i = 0; i < std::size(metrics); ++i) {
        const Metric& m = metrics[i];
        out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", m.name, m.help, m.name);
        out += samples[i];
    }
    return out;
}

}  // namespace

std::string prometheus_text(const StoredRun& run, const std::vector<StoredTest>& tests,
                            const ExpositionLimits& limits) {
    Samples samples;
    add_run(samples, run, tests, limits);
    return assemble(samples);
}

std::string prometheus_exposition(const HistoryStore& store, const ExpositionLimits& limits) {
    RunQuery recent;
    recent.limit = 1000;  // the newest runs: enough to find the recent branches
    std::vector<StoredRun> newest;
    std::set<std::string> branches;
    for (auto& run : store.runs(recent)) {
        if (newest.size() >= limits.max_branches) break;
        if (branches.insert(branch_of(run)).second) newest.push_back(std::move(run));
    }
    Samples samples;
    for (const StoredRun& run : newest) add_run(samples, run, store.tests_of_run(run.id), limits);
    return assemble(samples);
}

}  // namespace pss::ci
