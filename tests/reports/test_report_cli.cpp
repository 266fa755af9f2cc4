// End to end: pss-run on a Catch2 binary with hostile names writes every
// report; real consumers read them; `pss report --from` renders the same
// bytes; GitHub Actions integration (annotations, job summary, commit).
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "xml_check.hpp"

using pss::test::read_file;
using pss::test::run_process;

namespace {

class ReportCli : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-report"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    pss::test::ProcessResult run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.env = std::move(env);
        // Whatever CI runs these tests must not leak into what they check.
        o.unset_env = {"PSS_CONFIG",      "PSS_TRACE_FILE",   "NO_COLOR",    "GITHUB_ACTIONS",     "GITHUB_STEP_SUMMARY",
                       "GITHUB_SHA",      "GITHUB_REF_NAME",  "GITHUB_HEAD_REF", "GITHUB_WORKSPACE", "CI_COMMIT_SHA",
                       "CI_COMMIT_REF_NAME", "BUILDKITE_COMMIT", "BUILDKITE_BRANCH", "CIRCLE_SHA1", "CIRCLE_BRANCH",
                       "GIT_COMMIT",      "GIT_BRANCH"};
        for (const auto& [k, v] : o.env) std::erase(o.unset_env, k);
        o.timeout_seconds = 240;
        return run_process(args, o);
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // pss-run on the hostile fixture, every report asked for.
    pss::test::ProcessResult run_all_reports(std::map<std::string, std::string> env = {}) {
        return run({PSS_RUN_EXE, "--repeat", "4", "--json", path("r.json"), "--junit", path("r.xml"), "--markdown",
                    path("r.md"), "--html", path("r.html"), "--", FIXTURE_HOSTILE},
                   std::move(env));
    }

    std::string dir_;
};

}  // namespace

TEST_F(ReportCli, HostileCatch2NamesGiveValidReportsAndReportFromRendersTheSameBytes) {
    const auto r = run_all_reports({{"GITHUB_SHA", "feedc0de"}, {"GITHUB_REF_NAME", "main"}});
    ASSERT_EQ(r.exit_code, 1) << r.out << r.err;  // a failing and a flaky test

    const pss::test::XmlDoc xml(read_file(path("r.xml")));
    ASSERT_EQ(xml.error(), "");
    EXPECT_EQ(xml.count("//testcase"), 3u);
    EXPECT_EQ(xml.count("//testcase[@name='<script>alert(1)</script> & \"x\"']"), 1u);
    EXPECT_EQ(xml.count("//testcase[@name='fails | with `hostile` <b>message</b>']/failure"), 1u);
    // The flaky test fails the gate, so it is a <failure> too.
    EXPECT_EQ(xml.count("//testcase[@name='flaky ]]> & <i>every other run</i>']/failure"), 1u);
    EXPECT_EQ(xml.value("/testsuite/@failures"), "2");

    const auto results = nlohmann::json::parse(read_file(path("r.json")));
    EXPECT_EQ(results["run"]["git_commit"], "feedc0de");
    EXPECT_EQ(results["run"]["git_branch"], "main");

    const std::string html = read_file(path("r.html"));
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);

    // Re-render everything from the JSON: byte for byte the same files.
    const auto again = run({PSS_EXE, "report", "--from", path("r.json"), "--json", path("r2.json"), "--junit",
                            path("r2.xml"), "--markdown", path("r2.md"), "--html", path("r2.html")});
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    for (const char* ext : {"json", "xml", "md", "html"})
        EXPECT_EQ(read_file(path(std::string("r2.") + ext)), read_file(path(std::string("r.") + ext))) << ext;
}

TEST_F(ReportCli, AllowedFlakyTestPassesUnlessJUnitFlakyAsFailure) {
    auto r = run({PSS_RUN_EXE, "--repeat", "4", "--allow-flaky", "--junit", path("r.xml"), "--", FIXTURE_HOSTILE});
    ASSERT_EQ(r.exit_code, 1) << r.err;  // the failing test
    const pss::test::XmlDoc allowed(read_file(path("r.xml")));
    EXPECT_EQ(allowed.value("/testsuite/@failures"), "1");
    EXPECT_EQ(allowed.count("//flakyFailure"), 2u);

    r = run({PSS_RUN_EXE, "--repeat", "4", "--allow-flaky", "--junit", path("r.xml"), "--junit-flaky-as-failure", "--",
             FIXTURE_HOSTILE});
    ASSERT_EQ(r.exit_code, 1) << r.err;
    const pss::test::XmlDoc xml(read_file(path("r.xml")));
    EXPECT_EQ(xml.value("/testsuite/@failures"), "2");
    EXPECT_EQ(xml.count("//flakyFailure"), 0u);
}

TEST_F(ReportCli, GithubActionsAnnotationsAndJobSummary) {
    pss::test::write_file(path("summary.md"), "earlier step\n");
    const auto r = run_all_reports({{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", path("summary.md")}});
    ASSERT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("::error file="), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("catch2_hostile.cpp,line="), std::string::npos) << r.out;
    const std::string summary = read_file(path("summary.md"));
    EXPECT_EQ(summary, "earlier step\n" + read_file(path("r.md")) + "\n");
}

TEST_F(ReportCli, JobSummaryIsWrittenUnderGithubActionsWithoutMarkdownOption) {
    pss::test::write_file(path("summary.md"), "");
    const auto r = run({PSS_RUN_EXE, "--repeat", "3", "--pr-comment", path("pr.md"), "--", FIXTURE_HOSTILE},
                       {{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", path("summary.md")},
                        {"GITHUB_SERVER_URL", "https://github.com"}, {"GITHUB_REPOSITORY", "o/r"}, {"GITHUB_RUN_ID", "7"}});
    ASSERT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(read_file(path("summary.md")).rfind("## \xE2\x9D\x8C pss: gate failed", 0), 0u);
    // Every test that fails the gate is an error annotation.
    std::size_t errors = 0;
    for (std::size_t p = 0; (p = r.out.find("::error ", p)) != std::string::npos; ++p) ++errors;
    EXPECT_EQ(errors, 2u) << r.out;
    // The PR comment links to the workflow run, where the full reports are.
    EXPECT_NE(read_file(path("pr.md")).find("(https://github.com/o/r/actions/runs/7)"), std::string::npos);
}

TEST_F(ReportCli, NoAnnotationsOutsideGithubActions) {
    const auto r = run_all_reports();
    EXPECT_EQ(r.out.find("::error"), std::string::npos);
    EXPECT_EQ(r.out.find("::warning"), std::string::npos);
}

TEST_F(ReportCli, ReportFromPrintsTheTableAndExplainsBadInput) {
    ASSERT_EQ(run_all_reports().exit_code, 1);
    const auto table = run({PSS_EXE, "report", "--from", path("r.json")});
    EXPECT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("gate failed"), std::string::npos) << table.out;

    const auto missing = run({PSS_EXE, "report", "--from", path("nope.json")});
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;

    pss::test::write_file(path("traces.ndjson"), "{\"name\": \"t\", \"duration\": 1}\n");
    const auto wrong = run({PSS_EXE, "report", "--from", path("traces.ndjson")});
    EXPECT_EQ(wrong.exit_code, 3);
    EXPECT_NE(wrong.err.find("pss-run --json"), std::string::npos) << wrong.err;

    EXPECT_EQ(run({PSS_EXE, "report"}).exit_code, 2);  // --from is required
}
