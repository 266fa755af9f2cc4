// The HTML report's data: every test with its runs, compact enough that a
// page for 5,000 tests x 100 runs stays a few megabytes. The page's script
// draws each test's details from it on demand (html_assets.hpp reads these
// keys; keep the two in step).
#include "html_data.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "pss/text/escape.hpp"
#include "report_util.hpp"

namespace pss::reports {

namespace {

using json = nlohmann::json;

// Four significant digits: what a chart can show, in few characters.
double round4(double v) {
    if (v == 0 || !std::isfinite(v)) return 0;
    const double scale = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(v))));
    return std::round(v * scale) / scale;
}

// Whole numbers without ".0": a few hundred kilobytes less per 1,000 tests.
json number(double v) {
    if (std::fabs(v) < 9e15 && v == std::trunc(v)) return static_cast<std::int64_t>(v);
    return v;
}

// A series of values; one value when they are all the same (memory often is).
json series(const std::vector<RunPoint>& runs, double RunPoint::*field, double unit) {
    json out = json::array();
    bool constant = true;
    for (const auto& p : runs) {
        out.push_back(number(round4(p.*field * unit)));
        constant = constant && p.*field == runs.front().*field;
    }
    if (constant && out.size() > 1) out = json::array({out.front()});
    return out;
}

json test_json(const TestResult& t, const std::string& root) {
    const SubScores& b = t.score.breakdown;
    std::string failed, warmup;
    for (const auto& p : t.series) {
        failed += p.failed ? '1' : '0';
        warmup += p.warmup ? '1' : '0';
    }
    json failures = json::array();
    for (const auto& f : t.failure_samples)
        failures.push_back(json::array({shown_run(f.run), f.type, relative_path(f.file, root), f.line, f.message, f.output}));
    json notes = json::array();
    for (const auto& o : t.observations) notes.push_back(o.text);
    for (const auto& m : metric_notes(t)) notes.push_back(m);
    if (t.confidence.weak) notes.push_back("weak: " + t.confidence.reason);
    json j{{"n", t.name},
           {"s", t.module},
           {"v", std::string(to_string(t.verdict))},
           {"p", t.score.pss},
           {"r", t.runs},
           {"x", t.failures},
           {"g", t.fails_gate ? 1 : 0},
           {"p50", round4(t.duration.p50)},
           {"p95", round4(t.duration.p95)},
           {"mem", round4(t.memory_peak)},
           {"ss", json::array({rounded_subscore(b.timing_stability), rounded_subscore(b.memory_stability),
                               rounded_subscore(b.error_volatility), rounded_subscore(b.branching_entropy),
                               rounded_subscore(b.concurrency_chaos)})},
           {"o", std::move(notes)},
           {"fs", std::move(failures)},
           {"d", series(t.series, &RunPoint::duration, 1e6)},  // microseconds
           {"m", series(t.series, &RunPoint::memory, 1)},
           {"fl", failed}};
    if (warmup.find('1') != std::string::npos) j["w"] = warmup;
    if (t.quarantined) j["q"] = 1;
    if (t.baseline_pss) j["c"] = t.score.pss - *t.baseline_pss;
    if (t.pypss_pss) j["pp"] = *t.pypss_pss;
    if (!t.pss_trend.empty()) j["t"] = t.pss_trend;
    if (t.timing_resolution > 0) j["res"] = t.timing_resolution;
    if (!t.binary.empty()) j["b"] = t.binary;
    if (!t.filename.empty()) j["f"] = relative_path(t.filename, root) + (t.lineno > 0 ? ":" + std::to_string(t.lineno) : "");
    return j;
}

}  // namespace

std::string html_data(const RunResults& report) {
    json tests = json::array();
    for (const auto& t : report.tests) tests.push_back(test_json(t, report.meta.repository_root));
    json j{{"v", 1},
           {"fail_below", report.meta.fail_below},
           {"baseline", report.baseline_branch},
           {"tests", std::move(tests)}};
    // Invalid UTF-8 becomes U+FFFD; '<', '>' and '&' are escaped so the data
    // can never end its <script> element.
    return text::json_for_script(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace pss::reports
