// The JUnit XML as CI systems consume it: valid against Jenkins' junit-10.xsd
// and Maven Surefire's XSD (tests/reports/xsd), read by junitparser (the
// library of the publish-unit-test-result action), and with exactly as many
// failures as the gate counted: unstable, flaky and failing tests fail,
// quarantined and --allow-flaky ones pass with their details kept.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "render.hpp"
#include "sample_reports.hpp"
#include "xml_check.hpp"

using pss::test::read_file;
using pss::test::run_process;
using pss::test::schema_errors;
using pss::test::write_file;

namespace {

const std::string jenkins_xsd = std::string(XSD_DIR) + "/jenkins-junit-10.xsd";
const std::string surefire_xsd = std::string(XSD_DIR) + "/surefire-test-report-3.0.xsd";
constexpr const char* python = "/usr/bin/python3";

// One NDJSON record: a run of a test.
std::string record(const std::string& name, int run, double duration, bool error) {
    nlohmann::json r{{"name", name},
                     {"module", "gate_tests.Gate"},
                     {"kind", "test"},
                     {"run", run},
                     {"duration", duration},
                     {"cpu_time", duration},
                     {"memory", 4096},
                     {"error", error},
                     {"filename", "/repo/tests/gate_test.cpp"},
                     {"lineno", 10}};
    if (error) {
        r["exception_type"] = "assertion";
        r["exception_message"] = "Expected: 2 == 1";
        r["failure_file"] = "/repo/tests/gate_test.cpp";
        r["failure_line"] = 12;
    }
    return r.dump() + "\n";
}

// Ten runs of: a failing, a flaky, an unstable (a 10x latency tail), a
// stable test, and a failing and a flaky one that are quarantined.
std::string gate_traces() {
    std::string out;
    for (int run = 0; run < 10; ++run) {
        out += record("Gate.Failing", run, 0.001, true);
        out += record("Gate.Flaky", run, 0.001, run == 3 || run == 7);
        out += record("Gate.Unstable", run, run % 5 == 4 ? 0.030 : 0.002, false);
        out += record("Gate.Stable", run, 0.001, false);
        out += record("Gate.QuarantinedFailing", run, 0.001, true);
        out += record("Gate.QuarantinedFlaky", run, 0.001, run == 5);
    }
    return out;
}

class JUnitConsumers : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-junit"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // pss merge on the traces above, as a CI job would run it.
    pss::test::ProcessResult merge(std::vector<std::string> extra = {}) {
        write_file(path("traces.ndjson"), gate_traces());
        write_file(path("quarantine.txt"), "Gate.Quarantined*\n");
        std::vector<std::string> args{PSS_EXE,      "merge",   path("traces.ndjson"), "--quarantine", path("quarantine.txt"),
                                      "--junit",    path("junit.xml"), "--json",      path("r.json"), "--no-alerts"};
        args.insert(args.end(), extra.begin(), extra.end());
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.env["GITHUB_WORKSPACE"] = "/repo";  // the checkout the paths are made relative to
        o.unset_env = {"PSS_CONFIG", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"};
        return run_process(args, o);
    }

    std::string dir_;
};

}  // namespace

TEST(JUnitSchemas, SampleAndHostileReportsAreValidAgainstJenkinsAndSurefire) {
    for (const auto& report : {pss::test::sample_report(), pss::test::hostile_report()}) {
        for (bool flaky_as_failure : {false, true}) {
            pss::reports::RenderOptions o;
            o.junit_flaky_as_failure = flaky_as_failure;
            const std::string xml = pss::test::render_run_junit(report, o);
            EXPECT_EQ(schema_errors(xml, jenkins_xsd), "") << xml;
            EXPECT_EQ(schema_errors(xml, surefire_xsd), "") << xml;
        }
    }
}

// The schemas are real constraints: the shape pss wrote before (a
// <testsuites> root, file/line and <properties> on test cases, six decimals)
// is rejected, so the test above cannot pass by accident.
TEST(JUnitSchemas, RejectWhatTheyDoNotAllow) {
    const std::string old_shape =
        "<?xml version=\"1.0\"?>\n<testsuites name=\"pss\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">"
        "<testsuite name=\"S\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.001350\">"
        "<testcase name=\"t\" classname=\"S\" time=\"0.001350\" file=\"/a.cpp\" line=\"3\">"
        "<properties><property name=\"pss\" value=\"9\"/></properties></testcase></testsuite></testsuites>\n";
    EXPECT_NE(schema_errors(old_shape, jenkins_xsd), "");
    EXPECT_NE(schema_errors(old_shape, surefire_xsd), "");
}

TEST_F(JUnitConsumers, FailuresEqualTheGatesCountForAJUnitConsumer) {
    const auto r = merge();
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto results = nlohmann::json::parse(read_file(path("r.json")));
    EXPECT_EQ(results["gate"]["reason"], "gate failed: 1 failing, 1 flaky, 1 unstable (PSS below 80) tests");

    const std::string xml = read_file(path("junit.xml"));
    EXPECT_EQ(schema_errors(xml, jenkins_xsd), "") << xml;
    EXPECT_EQ(schema_errors(xml, surefire_xsd), "") << xml;

    const pss::test::XmlDoc doc(xml);
    EXPECT_EQ(doc.value("/testsuite/@tests"), "6");
    EXPECT_EQ(doc.value("/testsuite/@failures"), "3");
    EXPECT_EQ(doc.value("//testcase[@name='Gate.Unstable']/failure/@type"), "unstable");
    EXPECT_NE(doc.value("//testcase[@name='Gate.Unstable']/failure/@message").find("is below 80"), std::string::npos);
    EXPECT_EQ(doc.value("//testcase[@name='Gate.Flaky']/failure/@message"),
              "flaky: failed 2 of 10 runs (run 4, 8): Expected: 2 == 1");
    // Quarantined tests pass, with what happened kept.
    EXPECT_EQ(doc.count("//testcase[@name='Gate.QuarantinedFailing']/failure"), 0u);
    EXPECT_NE(doc.value("//testcase[@name='Gate.QuarantinedFailing']/system-out").find("quarantined"), std::string::npos);
    EXPECT_EQ(doc.count("//testcase[@name='Gate.QuarantinedFlaky']/flakyFailure"), 1u);
    // Source paths relative to the checkout, as GitLab and GitHub want them.
    EXPECT_NE(doc.value("//testcase[@name='Gate.Failing']/failure").find("at tests/gate_test.cpp:12"),
              std::string::npos);
    EXPECT_EQ(xml.find("/repo/"), std::string::npos);

    if (!std::filesystem::exists(python) ||
        run_process({python, "-c", "import junitparser"}).exit_code != 0)
        GTEST_SKIP() << "junitparser is missing (Debian package python3-junitparser; ./setup.sh test installs it)";
    const auto consumer = run_process({python, JUNIT_CONSUMER, path("junit.xml")});
    ASSERT_EQ(consumer.exit_code, 0) << consumer.err;
    EXPECT_NE(consumer.out.find("6 tests, 3 failed, 0 skipped"), std::string::npos) << consumer.out;
    for (const char* name : {"Gate.Failing", "Gate.Flaky", "Gate.Unstable"})
        EXPECT_NE(consumer.out.find(std::string("FAILED gate_tests.Gate :: ") + name), std::string::npos) << consumer.out;
}

TEST_F(JUnitConsumers, AllowedFlakyTestsPassWithTheirFailedRuns) {
    const auto r = merge({"--allow-flaky"});
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;  // the failing and the unstable test still fail
    const pss::test::XmlDoc doc(read_file(path("junit.xml")));
    EXPECT_EQ(doc.value("/testsuite/@failures"), "2");
    EXPECT_EQ(doc.count("//testcase[@name='Gate.Flaky']/failure"), 0u);
    EXPECT_EQ(doc.count("//testcase[@name='Gate.Flaky']/flakyFailure"), 2u);
}
