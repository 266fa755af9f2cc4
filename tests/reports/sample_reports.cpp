#include "sample_reports.hpp"

namespace pss::test {

namespace {

TestResult make_test(std::string module, std::string name, Verdict verdict, int pss, std::vector<bool> failed) {
    TestResult t;
    t.module = std::move(module);
    t.name = std::move(name);
    t.binary = "build/tests/unit_tests";
    t.filename = "/src/project/tests/" + t.module + "_test.cpp";
    t.lineno = 42;
    t.verdict = verdict;
    t.score.pss = pss;
    t.score.breakdown = {0.91234, 0.875, 1.0 - 0.1 * static_cast<double>(pss < 80), 1.0, 0.96789};
    t.runs = failed.size();
    for (std::size_t i = 0; i < failed.size(); ++i) {
        t.series.push_back({static_cast<std::int64_t>(i),
                            0.0012 + 0.0001 * static_cast<double>(i % 4) + (i == 7 ? 0.004 : 0.0),
                            4096.0 + 512.0 * static_cast<double>(i), failed[i], false});
        t.failures += failed[i];
    }
    t.duration = {0.00155, 0.00135, 0.0052, 0.0052};
    t.memory_peak = 4096.0 + 512.0 * static_cast<double>(t.runs - 1);
    return t;
}

RunMetadata fixed_meta() {
    RunMetadata m;
    m.started_at = 1790000000.25;
    m.finished_at = 1790000012.5;
    m.host = "ci-runner-1";
    m.pss_version = "0.1.0";
    m.binaries = {"build/tests/unit_tests"};
    m.modes = {"listener"};
    m.repeat = 10;
    m.seed = 0;
    m.fail_below = 80;
    m.git_commit = "0123456789abcdef0123456789abcdef01234567";
    m.git_branch = "feature/reports";
    m.repository_root = "/src/project";
    m.command_line = {"pss-run", "--repeat", "10", "--", "build/tests/unit_tests"};
    return m;
}

}  // namespace

FailureSample sample(std::int64_t run, std::string type, std::string message, std::string file, std::int64_t line,
                     std::string output) {
    FailureSample f;
    f.run = run;
    f.kind = failure_kind(type);
    f.type = std::move(type);
    f.message = std::move(message);
    f.file = std::move(file);
    f.line = line;
    f.output = std::move(output);
    return f;
}

RunResults sample_report() {
    RunResults r;
    r.meta = fixed_meta();
    std::vector<bool> all(10, true), none(10, false), some(10, false);
    some[3] = some[6] = some[8] = true;

    TestResult failing = make_test("Parser", "Parser.RejectsEmpty", Verdict::failing, 34, all);
    failing.failure_samples = {sample(0, "assertion", "Expected equality of these values:\n  parse(\"\")\n  nullptr",
                                      "/src/project/tests/Parser_test.cpp", 47, "[ RUN      ] Parser.RejectsEmpty\nboom"),
                               sample(1, "assertion", "Expected equality of these values:\n  parse(\"\")\n  nullptr",
                                      "/src/project/tests/Parser_test.cpp", 47, "")};
    TestResult flaky = make_test("Network", "Network.Retries", Verdict::flaky, 61, some);
    flaky.failure_samples = {sample(3, "timeout", "killed after 60 s", "/src/project/tests/Network_test.cpp", 42,
                                    "waiting for socket..."),
                             sample(6, "crash:SIGSEGV", "", "/src/project/tests/Network_test.cpp", 42, "")};
    flaky.observations = {{ObservationKind::fails_alone, "fails alone too (2 of 2 re-runs)"}};
    TestResult unstable = make_test("Parser", "Parser.LargeInput", Verdict::unstable, 72, none);
    unstable.leaking_runs = 10;
    unstable.observations = {
        {ObservationKind::leak, "leaks: heap grew after 10 of 10 passed runs (by 2.0 KiB per run on average)"},
        {ObservationKind::latency_tail, "latency tail: p95 is 3.9x p50"}};
    unstable.baseline_pss = 80;
    TestResult stable = make_test("Network", "Network.Parses", Verdict::stable, 97, none);
    stable.quarantined = true;
    r.tests = {failing, flaky, unstable, stable};
    mark_gate_failures(r.tests, GatePolicy{});
    r.overall = aggregate(r.tests);
    r.mean_pss = mean_pss(r.tests);
    r.summary = summarize(r.tests, r.overall);
    r.gate = {1, "gate failed: 1 failing, 1 flaky, 1 unstable (PSS below 80) tests"};
    r.notes = {"build/tests/other_tests: no tests selected"};
    return r;
}

RunResults hostile_report() {
    RunResults r;
    r.meta = fixed_meta();
    r.meta.host = "host<b>&\"'";
    r.meta.git_branch = "evil`|branch<script>";
    const std::string nasty = "]]> \x01\x02\x1b[31mred\x7f \xff\xfe\xc3\x28 \xed\xa0\x80 </system-out> <!-- & -->";
    std::vector<bool> some(6, false);
    some[1] = some[4] = true;
    TestResult a = make_test("hostile \"suite\" <x>", script_name, Verdict::flaky, 50, some);
    a.failure_samples = {sample(1, "assertion<&>", nasty + "\nline two | cell `code` *em* [link](http://x)",
                                "/src/a \"b\".cpp", 3,
                                "output ]]> <script>alert(2)</script>\n\x1b[0m" + std::string(1, '\0') + "end")};
    a.observations = {{ObservationKind::noisy, "note with | pipe and\nnewline <img src=x onerror=alert(3)>"}};
    TestResult b = make_test("hostile \"suite\" <x>", "pipe | name `tick` \n newline <img src=x onerror=alert(4)>",
                             Verdict::failing, 10, std::vector<bool>(6, true));
    b.failure_samples = {sample(0, "exception:std::runtime_error", nasty, "", 0, nasty)};
    TestResult c = make_test("plain", "invalid \xff utf8 \xc0\xaf and ]]> in name", Verdict::stable, 95,
                             std::vector<bool>(6, false));
    r.tests = {a, b, c};
    mark_gate_failures(r.tests, GatePolicy{});
    r.overall = aggregate(r.tests);
    r.mean_pss = mean_pss(r.tests);
    r.summary = summarize(r.tests, r.overall);
    r.gate = {1, "gate failed: <b>1</b> failing & 1 flaky tests"};
    r.notes = {"note: ]]> <script>alert(5)</script>"};
    return r;
}

}  // namespace pss::test
