// Regression detection against a real history database.
#include <gtest/gtest.h>

#include <filesystem>

#include "process.hpp"
#include "pss/ci/sqlite_history.hpp"
#include "pss/ci/regression.hpp"

using namespace pss;
using namespace pss::ci;

namespace {

TestResult result(std::string name, int pss, double duration, std::size_t runs, std::size_t failures = 0) {
    TestResult t;
    t.name = std::move(name);
    t.module = "bin.Suite";
    t.score.pss = pss;
    t.runs = runs;
    t.failures = failures;
    t.verdict = failures == 0 ? Verdict::stable : (failures == runs ? Verdict::failing : Verdict::flaky);
    for (std::size_t i = 0; i < runs; ++i)
        t.series.push_back({static_cast<std::int64_t>(i), duration * (1.0 + 0.01 * static_cast<double>(i % 5)), 0,
                            i < failures, false});
    return t;
}

class RegressionTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = pss::test::make_temp_dir("pss-regression");
        store_ = std::make_unique<SqliteHistory>(std::filesystem::path(dir_) / "history.db");
        for (int i = 0; i < 5; ++i)
            store_->store(100.0 + i, {"c", "main", "", "", "", ""}, Score{95, {}},
                          {result("Steady", 95, 0.010, 10), result("GetsSlower", 95, 0.010, 10),
                           result("GetsFlaky", 95, 0.010, 10), result("LosesPoints", 95, 0.010, 10)},
                          0);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    std::string dir_;
    std::unique_ptr<SqliteHistory> store_;
};

}  // namespace

TEST_F(RegressionTest, FindsEachKindForTheRightTestOnly) {
    std::vector<TestResult> now{result("Steady", 95, 0.010, 10), result("GetsSlower", 93, 0.013, 10),
                                result("GetsFlaky", 88, 0.010, 10, 2), result("LosesPoints", 80, 0.010, 10)};
    const auto report = detect_regressions(*store_, now, Score{95, {}}, std::string("main"), RegressionConfig{});
    EXPECT_EQ(report.baseline_runs, 5u);
    auto rules_of = [&](const std::string& test) {
        std::vector<std::string> rules;
        for (const auto& r : report.regressions)
            if (r.test == test) rules.emplace_back(to_string(r.rule));
        return rules;
    };
    EXPECT_TRUE(rules_of("Steady").empty());
    EXPECT_EQ(rules_of("GetsSlower"), std::vector<std::string>{"slower"});
    EXPECT_EQ(rules_of("GetsFlaky"), std::vector<std::string>{"new-failure"});
    EXPECT_EQ(rules_of("LosesPoints"), std::vector<std::string>{"pss-drop"});
    for (const auto& r : report.regressions)
        if (r.rule == RegressionRule::slower) {
            EXPECT_LT(r.p_value, 0.05);
            EXPECT_NEAR(r.relative_change, 0.30, 0.01);
        }

    RunResults results;
    results.tests = now;
    apply_regressions(results, report);
    EXPECT_EQ(results.tests[0].verdict, Verdict::stable);
    EXPECT_EQ(results.tests[0].baseline_pss, 95);
    EXPECT_EQ(results.tests[1].verdict, Verdict::regressed);
    EXPECT_TRUE(results.tests[1].has(ObservationKind::regressed));
    EXPECT_EQ(results.tests[2].verdict, Verdict::flaky);  // flaky stays flaky, with the reason added
    EXPECT_EQ(results.tests[2].observations.back().kind, ObservationKind::regressed);
    EXPECT_NE(results.tests[2].observations.back().text.find("never failed in the baseline"), std::string::npos);
    EXPECT_EQ(results.tests[3].verdict, Verdict::regressed);
    EXPECT_EQ(results.regressions.size(), report.regressions.size());
}

TEST_F(RegressionTest, SmallSlowdownIsNotARegressionEvenIfSignificant) {
    // 5% slower on every run is significant but below regression_min_change (10%).
    std::vector<TestResult> now{result("GetsSlower", 95, 0.0105, 10)};
    const auto report = detect_regressions(*store_, now, Score{95, {}}, std::nullopt, RegressionConfig{});
    EXPECT_TRUE(report.regressions.empty());
}

TEST_F(RegressionTest, ASlowDownWithinTheTimingNoiseFloorIsNotARegression) {
    // 30% slower, significant, but 3 us on a 10 us test: below a 0.2 ms floor.
    SqliteHistory fast(std::filesystem::path(dir_) / "fast.db");
    for (int i = 0; i < 3; ++i)
        fast.store(100.0 + i, {"c", "main", "", "", "", ""}, Score{95, {}}, {result("Tiny", 95, 10e-6, 10)}, 0);
    const std::vector<TestResult> now{result("Tiny", 95, 13e-6, 10)};
    EXPECT_EQ(detect_regressions(fast, now, Score{95, {}}, std::nullopt, RegressionConfig{}).regressions.size(), 1u);
    EXPECT_TRUE(detect_regressions(fast, now, Score{95, {}}, std::nullopt, RegressionConfig{}, 0.0002).regressions.empty());
    // The 10 ms test's 3 ms slow-down is far above the floor.
    std::vector<TestResult> slower{result("GetsSlower", 95, 0.013, 10)};
    EXPECT_EQ(detect_regressions(*store_, slower, Score{95, {}}, std::nullopt, RegressionConfig{}, 0.0002)
                  .regressions.size(),
              1u);
}

TEST_F(RegressionTest, OverallPssDropAndFewRunsWarning) {
    std::vector<TestResult> now{result("Steady", 95, 0.010, 3)};
    const auto report = detect_regressions(*store_, now, Score{80, {}}, std::nullopt, RegressionConfig{});
    ASSERT_FALSE(report.regressions.empty());
    EXPECT_TRUE(report.regressions[0].test.empty());
    EXPECT_EQ(report.regressions[0].rule, RegressionRule::pss_drop);
    EXPECT_EQ(report.regressions[0].message,
              "the run's PSS 80 is 15.0 points below the mean 95.0 of its 5 baseline runs (more than the allowed 10)");
    ASSERT_FALSE(report.warnings.empty());
    EXPECT_NE(report.warnings[0].find("needs 9"), std::string::npos);
}

TEST_F(RegressionTest, NoBaselineOnAnotherBranchIsAWarningNotARegression) {
    const auto report = detect_regressions(*store_, {result("Steady", 10, 1.0, 10)}, Score{10, {}},
                                           std::string("release"), RegressionConfig{});
    EXPECT_TRUE(report.regressions.empty());
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("release"), std::string::npos);
}
