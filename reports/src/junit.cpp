// JUnit XML in the Maven Surefire dialect: CI systems (Jenkins, GitLab,
// GitHub test reporters) read <testsuite>/<testcase>/<failure>, and the
// Surefire ones also <flakyFailure> for a test that passed on a re-run.
#include <map>

#include <fmt/format.h>

#include "pss/text/escape.hpp"
#include "pss/text/format.hpp"
#include "renderers.hpp"
#include "report_util.hpp"

namespace pss::reports {

using text::xml_attribute;
using text::xml_text;

namespace {

using JUnitOptions = RenderOptions;

enum class Outcome { passed, failed, flaky, skipped };

Outcome outcome_of(const TestResult& t, const JUnitOptions& o) {
    if (t.runs == 0) return Outcome::skipped;
    if (t.failures == 0) return Outcome::passed;
    if (t.failures == t.runs || o.junit_flaky_as_failure) return Outcome::failed;
    return Outcome::flaky;
}

std::string seconds(double s) { return fmt::format("{:.6f}", s); }

std::string property(std::string_view name, std::string_view value) {
    return fmt::format("        <property name=\"{}\" value=\"{}\"/>\n", xml_attribute(name), xml_attribute(value));
}

std::string test_properties(const TestResult& t) {
    const SubScores& b = t.score.breakdown;
    std::string out = "      <properties>\n";
    out += property("pss", std::to_string(t.score.pss));
    out += property("verdict", to_string(t.verdict));
    out += property("runs", std::to_string(t.runs));
    out += property("failures", std::to_string(t.failures));
    if (t.skipped) out += property("skipped_runs", std::to_string(t.skipped));
    out += property("pass_rate", fmt::format("{:.4f}", t.pass_rate()));
    out += property("timing_stability", fmt::format("{:.4f}", rounded_subscore(b.timing_stability)));
    out += property("memory_stability", fmt::format("{:.4f}", rounded_subscore(b.memory_stability)));
    out += property("error_volatility", fmt::format("{:.4f}", rounded_subscore(b.error_volatility)));
    out += property("branching_entropy", fmt::format("{:.4f}", rounded_subscore(b.branching_entropy)));
    out += property("concurrency_chaos", fmt::format("{:.4f}", rounded_subscore(b.concurrency_chaos)));
    out += property("duration_p50", seconds(t.duration.p50));
    out += property("duration_p95", seconds(t.duration.p95));
    out += property("duration_max", seconds(t.duration.max));
    out += property("memory_peak", fmt::format("{:.0f}", t.memory_peak));
    if (t.quarantined) out += property("quarantined", "true");
    if (t.order_dependent) out += property("order_dependent", "true");
    for (const auto& o : t.observations) out += property("observation", o.text);
    out += "      </properties>\n";
    return out;
}

// "assertion at foo.cpp:12 (run 3)\nmessage": the details of one failed run.
std::string failure_details(const FailureSample& f) {
    std::string where = f.file.empty() ? "" : fmt::format(" at {}:{}", f.file, f.line);
    return fmt::format("run {}: {}{}\n{}", f.run + 1, f.type, where, f.message);
}

std::string failure_element(const TestResult& t) {
    const FailureSample* first = t.failure_samples.empty() ? nullptr : &t.failure_samples.front();
    const std::string message = fmt::format("failed {} of {} runs{}", t.failures, t.runs,
                                            first && !first->message.empty() ? ": " + first_line(first->message) : "");
    std::string body;
    for (const auto& f : t.failure_samples) body += failure_details(f) + "\n\n";
    if (t.failures > t.failure_samples.size())
        body += fmt::format("({} more failed runs not sampled)\n", t.failures - t.failure_samples.size());
    return fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", xml_attribute(message),
                       xml_attribute(first ? first->type : "failure"), xml_text(body));
}

// One <flakyFailure> per failed run; the sampled ones carry details and output.
std::string flaky_elements(const TestResult& t) {
    std::string out;
    std::size_t nth_failure = 0;
    for (std::size_t i = 0; i < t.series.size(); ++i) {
        if (!t.series[i].failed) continue;
        if (nth_failure < t.failure_samples.size()) {
            const FailureSample& f = t.failure_samples[nth_failure];
            out += fmt::format("      <flakyFailure message=\"{}\" type=\"{}\">\n", xml_attribute(first_line(f.message)),
                               xml_attribute(f.type));
            out += fmt::format("        <stackTrace>{}</stackTrace>\n", xml_text(failure_details(f)));
            if (!f.output.empty()) out += fmt::format("        <system-out>{}</system-out>\n", xml_text(f.output));
            out += "      </flakyFailure>\n";
        } else {
            out += fmt::format("      <flakyFailure message=\"failed (run {} of {}, not sampled)\" type=\"failure\"/>\n",
                               i + 1, t.series.size());
        }
        ++nth_failure;
    }
    return out;
}

// The captured output of the failed runs, each under a header.
std::string failed_output(const TestResult& t) {
    std::string out;
    for (const auto& f : t.failure_samples)
        if (!f.output.empty()) out += fmt::format("--- run {} ({}) ---\n{}\n", f.run + 1, f.type, f.output);
    return out;
}

std::string testcase(const TestResult& t, const JUnitOptions& o) {
    const Outcome outcome = outcome_of(t, o);
    std::string out = fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"", xml_attribute(t.name),
                                  xml_attribute(t.module), seconds(t.duration.p50));
    if (!t.filename.empty()) out += fmt::format(" file=\"{}\" line=\"{}\"", xml_attribute(t.filename), t.lineno);
    out += ">\n" + test_properties(t);
    if (outcome == Outcome::skipped) out += "      <skipped message=\"every run was skipped\"/>\n";
    if (outcome == Outcome::failed) out += failure_element(t);
    if (outcome == Outcome::flaky) out += flaky_elements(t);
    if (outcome == Outcome::failed) {
        const std::string output = failed_output(t);
        if (!output.empty()) out += fmt::format("      <system-out>{}</system-out>\n", xml_text(output));
    }
    out += "    </testcase>\n";
    return out;
}

struct Counts {
    std::uint64_t tests = 0, failures = 0, skipped = 0;
    double time = 0;
    void add(const TestResult& t, Outcome o) {
        ++tests;
        failures += o == Outcome::failed;
        skipped += o == Outcome::skipped;
        time += t.duration.p50;
    }
    std::string attributes() const {
        return fmt::format("tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"", tests, failures,
                           skipped, seconds(time));
    }
};

}  // namespace

std::string render_junit(const RunResults& report, const RenderOptions& options) {
    // Suites in order of first appearance, so the worst-first order survives.
    std::vector<std::string> suite_order;
    std::map<std::string, std::vector<const TestResult*>> suites;
    for (const auto& t : report.tests) {
        auto [it, added] = suites.try_emplace(t.module);
        if (added) suite_order.push_back(t.module);
        it->second.push_back(&t);
    }
    const auto& m = report.meta;
    const std::string timestamp = text::iso8601_utc(m.started_at);
    Counts total;
    std::string body;
    for (const auto& name : suite_order) {
        Counts counts;
        std::string cases;
        for (const TestResult* t : suites[name]) {
            counts.add(*t, outcome_of(*t, options));
            total.add(*t, outcome_of(*t, options));
            cases += testcase(*t, options);
        }
        body += fmt::format("  <testsuite name=\"{}\" {} timestamp=\"{}\" hostname=\"{}\">\n", xml_attribute(name),
                            counts.attributes(), timestamp, xml_attribute(m.host.empty() ? "localhost" : m.host));
        body += "    <properties>\n";
        body += fmt::format("      <property name=\"repeat\" value=\"{}\"/>\n", m.repeat);
        body += fmt::format("      <property name=\"fail_below\" value=\"{}\"/>\n", m.fail_below);
        if (!m.git_commit.empty())
            body += fmt::format("      <property name=\"git_commit\" value=\"{}\"/>\n", xml_attribute(m.git_commit));
        if (!m.git_branch.empty())
            body += fmt::format("      <property name=\"git_branch\" value=\"{}\"/>\n", xml_attribute(m.git_branch));
        body += "    </properties>\n" + cases + "  </testsuite>\n";
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuites name=\"pss\" {} timestamp=\"{}\">\n", total.attributes(), timestamp);
    out += body + "</testsuites>\n";
    return out;
}

}  // namespace pss::reports
