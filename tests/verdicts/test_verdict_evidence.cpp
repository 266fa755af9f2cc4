// pss-run's verdicts on evidence: warm-ups in the results, the machine's
// noise measured, instabilities confirmed by re-running alone, confidence on
// every verdict, and --repeat auto.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "process.hpp"

using json = nlohmann::json;

namespace {

class VerdictEvidence : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-evidence"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    pss::test::ProcessResult pss_run(std::vector<std::string> args) {
        args.insert(args.begin(), PSS_RUN_EXE);
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE"};
        o.timeout_seconds = 240;
        return pss::test::run_process(args, o);
    }
    json results() { return json::parse(pss::test::read_file(dir_ + "/r.json")); }
    static const json& test(const json& j, const std::string& name) {
        for (const auto& t : j["tests"])
            if (t["name"] == name) return t;
        throw std::runtime_error("no test " + name);
    }
    static bool has_observation(const json& t, const std::string& kind) {
        for (const auto& o : t["observations"])
            if (o["kind"] == kind) return true;
        return false;
    }
    std::string dir_;
};

}  // namespace

TEST_F(VerdictEvidence, ColdStartsAreNotInstabilityAndARealTailIsConfirmedAlone) {
    const auto r = pss_run({"--repeat", "12", "--filter", "Cold.*:Tail.*", "--json", dir_ + "/r.json", "--",
                            FIXTURE_EVIDENCE});
    const json j = results();
    EXPECT_EQ(j["run"]["warmup"], 1);
    ASSERT_TRUE(j["run"]["machine_noise"].is_object());
    EXPECT_GT(j["run"]["machine_noise"]["samples"].get<int>(), 0);
    EXPECT_NE(r.out.find("machine noise: "), std::string::npos) << r.out;

    const json& cold = test(j, "Cold.FirstTwoRunsOfAProcessAreSlow");
    EXPECT_EQ(cold["verdict"], "stable") << cold.dump(2);
    EXPECT_EQ(cold["warmup_runs"], 1);
    EXPECT_TRUE(cold["run_data"][0]["warmup"]);
    EXPECT_FALSE(cold["run_data"][1]["warmup"]);

    const json& tail = test(j, "Tail.EveryFourthRunIsMuchSlower");
    EXPECT_EQ(tail["failures"], 0);
    if (tail["verdict"] == "unstable") {
        EXPECT_TRUE(has_observation(tail, "reproduced")) << tail["observations"].dump(2);
        EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the tail fails the gate
    } else {
        // Only a machine as noisy as the tail itself (other jobs on its cores)
        // may leave it undecided, and then the verdict says so.
        EXPECT_EQ(tail["verdict"], "stable") << tail.dump(2);
        EXPECT_TRUE(has_observation(tail, "noisy")) << tail["observations"].dump(2);
        EXPECT_TRUE(tail["confidence"]["weak"]) << tail.dump(2);
    }
    EXPECT_EQ(tail["confidence"]["text"], "0 of 12 runs failed: a failure rate above 24% is ruled out (95%)");
}

TEST_F(VerdictEvidence, NoWarmupScoresEveryRun) {
    const auto r = pss_run({"--repeat", "4", "--warmup", "0", "--no-confirm", "--filter", "Cheap.AlwaysPasses",
                            "--json", dir_ + "/r.json", "--", FIXTURE_EVIDENCE});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const json t = test(results(), "Cheap.AlwaysPasses");
    EXPECT_EQ(t["warmup_runs"], 0);
    for (const auto& run : t["run_data"]) EXPECT_FALSE(run["warmup"]);
}

TEST_F(VerdictEvidence, AdaptiveRepetitionGivesCheapTestsTheRunsAConfidentVerdictNeeds) {
    const auto r = pss_run({"--repeat", "auto", "--budget", "60s", "--filter", "Cheap.*", "--json",
                            dir_ + "/r.json", "--", FIXTURE_EVIDENCE});
    const json j = results();
    EXPECT_TRUE(j["run"]["adaptive"]);
    // 0 failures in 35 runs rules out a failure rate above 10%: the passing test gets at least that.
    const json& pass = test(j, "Cheap.AlwaysPasses");
    EXPECT_GE(pass["runs"].get<int>(), 35) << pass.dump(2);
    EXPECT_FALSE(pass["confidence"]["weak"]) << pass["confidence"].dump();
    EXPECT_LE(pass["confidence"]["failure_rate_high"].get<double>(), 0.10);
    // The one that fails one run in eight is found (its chance of passing 35 runs is 1 in 100).
    const json& flaky = test(j, "Cheap.FailsNowAndThen");
    EXPECT_EQ(flaky["verdict"], "flaky") << flaky.dump(2);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    bool described = false;
    for (const auto& n : j["notes"]) described = described || n.get<std::string>().rfind("adaptive repetition: ", 0) == 0;
    EXPECT_TRUE(described) << j["notes"].dump(2);
}

TEST_F(VerdictEvidence, RepeatAndBudgetMistakesSayWhatToGive) {
    const auto word = pss_run({"--repeat", "many", "--", FIXTURE_EVIDENCE});
    EXPECT_EQ(word.exit_code, 2);
    EXPECT_NE(word.err.find("--repeat many: give a number of runs from 1 to 100000, or auto"), std::string::npos)
        << word.err;
    const auto budget = pss_run({"--repeat", "auto", "--budget", "5 parsecs", "--", FIXTURE_EVIDENCE});
    EXPECT_EQ(budget.exit_code, 2);
    EXPECT_NE(budget.err.find("--budget 5 parsecs: give a duration such as 90s"), std::string::npos) << budget.err;
    const auto fixed = pss_run({"--repeat", "10", "--budget", "5s", "--", FIXTURE_EVIDENCE});
    EXPECT_EQ(fixed.exit_code, 2);
    EXPECT_NE(fixed.err.find("--budget, --min-runs and --max-runs go with --repeat auto"), std::string::npos)
        << fixed.err;
}
