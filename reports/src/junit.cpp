// JUnit XML that agrees with the gate and that both schemas CI systems hold
// reports to accept: Jenkins' junit-10.xsd and Maven Surefire's test report
// XSD (both checked in tests/reports/xsd). Surefire's schema has no
// <testsuites>, so the root is one <testsuite>; each test is a <testcase>
// whose classname is its suite. Neither schema allows attributes such as
// file/line or <properties> on a test case, so pss's details go where both
// allow them: the run's facts in the suite's <properties>, each test's PSS,
// verdict and location in its <system-out>.
//
// Every test that fails the gate is a <failure> (consumers that ignore
// <flakyFailure> still see it); a flaky test the gate lets pass
// (--allow-flaky, quarantine) passes with one <flakyFailure> per failed run.
#include <fmt/format.h>

#include "pss/text/escape.hpp"
#include "pss/text/format.hpp"
#include "renderers.hpp"
#include "report_util.hpp"

namespace pss::reports {

using text::xml_attribute;
using text::xml_text;

namespace {

enum class Outcome { passed, failed, skipped };

Outcome outcome_of(const TestResult& t, const RenderOptions& o) {
    if (t.runs == 0) return Outcome::skipped;
    if (t.fails_gate || (o.junit_flaky_as_failure && t.verdict == Verdict::flaky)) return Outcome::failed;
    return Outcome::passed;
}

// Both schemas: at most three decimals.
std::string seconds(double s) { return fmt::format("{:.3f}", s); }

std::string location(const std::string& file, std::int64_t line) {
    if (file.empty()) return {};
    return line > 0 ? fmt::format("{}:{}", file, line) : file;
}

// "run 4: timeout at tests/net_test.cpp:42\nmessage": one failed run.
std::string failure_details(const FailureSample& f, const std::string& root) {
    const std::string where = location(relative_path(f.file, root), f.line);
    return fmt::format("run {}: {}{}\n{}", shown_run(f.run), f.type, where.empty() ? "" : " at " + where, f.message);
}

std::string first_message(const TestResult& t) {
    for (const auto& f : t.failure_samples)
        if (!f.message.empty()) return ": " + first_line(f.message);
    return {};
}

// The one-line reason a test fails the gate, for the message attribute.
std::string failure_message(const TestResult& t, int fail_below) {
    switch (t.verdict) {
        case Verdict::failing: return fmt::format("failing: failed all {} runs{}", t.runs, first_message(t));
        case Verdict::flaky:
            return fmt::format("flaky: failed {} of {} runs (run {}){}", t.failures, t.runs, failed_run_numbers(t),
                               first_message(t));
        case Verdict::unstable:
            return fmt::format("unstable: PSS {} is below {} (weakest: {})", t.score.pss, fail_below,
                               weakest_subscore(t.score.breakdown));
        case Verdict::regressed:
            for (const auto& o : t.observations)
                if (o.kind == ObservationKind::regressed) return "regressed: " + first_line(o.text);
            return fmt::format("regressed: PSS {} is worse than its history", t.score.pss);
        case Verdict::stable:
        case Verdict::not_applicable: break;
    }
    return fmt::format("PSS {}", t.score.pss);
}

std::string failure_type(const TestResult& t) {
    if ((t.verdict == Verdict::failing || t.verdict == Verdict::flaky) && !t.failure_samples.empty())
        return t.failure_samples.front().type;
    return std::string(to_string(t.verdict));
}

// The failed runs' details and what else is known about the test.
std::string failure_body(const TestResult& t, const std::string& root) {
    std::string body;
    for (const auto& f : t.failure_samples) body += failure_details(f, root) + "\n\n";
    if (t.failures > t.failure_samples.size())
        body += fmt::format("({} more failed runs not sampled)\n", t.failures - t.failure_samples.size());
    for (const auto& o : t.observations) body += o.text + "\n";
    return body;
}

std::string failure_element(const TestResult& t, const RunMetadata& m) {
    const std::string& root = m.repository_root;
    return fmt::format("    <failure message=\"{}\" type=\"{}\">{}</failure>\n", xml_attribute(failure_message(t, m.fail_below)),
                       xml_attribute(failure_type(t)), xml_text(failure_body(t, root)));
}

// A flaky test that passes: one <flakyFailure> per failed run (Surefire's
// convention); the sampled ones carry details and output.
std::string flaky_elements(const TestResult& t, const std::string& root) {
    std::string out;
    std::size_t nth_failure = 0;
    for (const auto& p : t.series) {
        if (!p.failed) continue;
        if (nth_failure < t.failure_samples.size()) {
            const FailureSample& f = t.failure_samples[nth_failure];
            out += fmt::format("    <flakyFailure message=\"{}\" type=\"{}\">\n", xml_attribute(first_line(f.message)),
                               xml_attribute(f.type));
            out += fmt::format("      <stackTrace>{}</stackTrace>\n", xml_text(failure_details(f, root)));
            if (!f.output.empty()) out += fmt::format("      <system-out>{}</system-out>\n", xml_text(f.output));
            out += "    </flakyFailure>\n";
        } else {
            out += fmt::format(
                "    <flakyFailure message=\"failed (not sampled)\" type=\"failure\"><stackTrace>run {} of {}: failed "
                "(not sampled)</stackTrace></flakyFailure>\n",
                shown_run(p.run), t.runs);
        }
        ++nth_failure;
    }
    return out;
}

// What pss knows about the test, for people reading the CI's test page.
std::string test_summary(const TestResult& t, const std::string& root) {
    const SubScores& b = t.score.breakdown;
    std::string out = fmt::format("pss: PSS {} ({}{}{}), {} runs, {} failed", t.score.pss, to_string(t.verdict),
                                  t.quarantined ? ", quarantined" : "", t.fails_gate ? ", fails the gate" : "",
                                  t.runs, t.failures);
    if (t.pypss_pss) out += fmt::format("; pypss's formula gives {}", *t.pypss_pss);
    out += "\n";
    out += fmt::format("p50 {}, p95 {}; timing {:.2f}, memory {:.2f}, errors {:.2f}, branching {:.2f}, concurrency {:.2f}\n",
                       format_duration(t, t.duration.p50), format_duration(t, t.duration.p95),
                       rounded_subscore(b.timing_stability), rounded_subscore(b.memory_stability),
                       rounded_subscore(b.error_volatility), rounded_subscore(b.branching_entropy),
                       rounded_subscore(b.concurrency_chaos));
    if (!t.filename.empty()) out += "defined at " + location(relative_path(t.filename, root), t.lineno) + "\n";
    for (const auto& o : t.observations) out += o.text + "\n";
    for (const auto& f : t.failure_samples)
        if (!f.output.empty()) out += fmt::format("--- output of run {} ({}) ---\n{}\n", shown_run(f.run), f.type, f.output);
    return out;
}

std::string testcase(const TestResult& t, const RenderOptions& o, const RunMetadata& m) {
    const std::string& root = m.repository_root;
    const Outcome outcome = outcome_of(t, o);
    std::string out = fmt::format("  <testcase name=\"{}\" classname=\"{}\" time=\"{}\">\n", xml_attribute(t.name),
                                  xml_attribute(t.module), seconds(t.duration.p50));
    if (outcome == Outcome::failed) out += failure_element(t, m);
    if (outcome == Outcome::passed && t.verdict == Verdict::flaky) out += flaky_elements(t, root);
    if (outcome == Outcome::skipped) out += "    <skipped message=\"every run was skipped\"/>\n";
    out += fmt::format("    <system-out>{}</system-out>\n", xml_text(test_summary(t, root)));
    out += "  </testcase>\n";
    return out;
}

// A binary that failed outside its tests (a sanitizer's exit code, a static
// destructor's abort) is an <error> of a test case of its own, as ctest
// would fail it.
std::string outside_tests_case(const ProcessFailure& f) {
    return fmt::format("  <testcase name=\"(outside tests)\" classname=\"{}\" time=\"0.000\">\n"
                       "    <error message=\"{}\" type=\"process\">{}</error>\n  </testcase>\n",
                       xml_attribute(f.binary),
                       xml_attribute(fmt::format("{} {} outside its tests in {} process{}", f.binary, f.what,
                                                 f.processes, f.processes == 1 ? "" : "es")),
                       xml_text(f.output));
}

std::string property(std::string_view name, std::string_view value) {
    return fmt::format("    <property name=\"{}\" value=\"{}\"/>\n", xml_attribute(name), xml_attribute(value));
}

}  // namespace

std::string render_junit(const RunResults& report, const RenderOptions& options) {
    const auto& m = report.meta;
    std::uint64_t failures = 0, skipped = 0;
    double time = 0;
    std::string cases;
    for (const auto& t : report.tests) {
        const Outcome o = outcome_of(t, options);
        failures += o == Outcome::failed;
        skipped += o == Outcome::skipped;
        time += t.duration.p50;
        cases += testcase(t, options, m);
    }
    for (const auto& f : report.process_failures) cases += outside_tests_case(f);
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuite name=\"pss\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
                       report.tests.size() + report.process_failures.size(), failures,
                       report.process_failures.size(), skipped, seconds(time));
    out += "  <properties>\n";
    out += property("pss.overall_pss", std::to_string(report.overall.pss));
    out += property("pss.gate", report.gate.reason);
    out += property("pss.repeat", std::to_string(m.repeat));
    out += property("pss.fail_below", std::to_string(m.fail_below));
    out += property("timestamp", text::iso8601_utc(m.started_at));
    out += property("hostname", m.host.empty() ? "localhost" : m.host);
    if (!m.git_commit.empty()) out += property("git_commit", m.git_commit);
    if (!m.git_branch.empty()) out += property("git_branch", m.git_branch);
    if (!m.pss_version.empty()) out += property("pss.version", m.pss_version);
    out += "  </properties>\n";
    out += cases + "</testsuite>\n";
    return out;
}

}  // namespace pss::reports
