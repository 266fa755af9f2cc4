// End to end: metrics recorded inside tests reach their trace records (both
// listeners), pss scores them when custom_metric_weights names them, and the
// reports show them.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "trace_helpers.hpp"

namespace {

using pss::test::run_process;
using nlohmann::json;

const std::string gtest_fixture = PSS_METRICS_FIXTURE;
const std::string catch2_fixture = PSS_CATCH2_METRICS_FIXTURE;
const std::string pss_exe = PSS_EXE;

double metric(const pss::TraceRecord& r, const std::string& name) {
    for (const auto& m : r.metrics)
        if (m.name == name) return m.value;
    throw std::runtime_error("record of " + r.name + " run " + std::to_string(r.run) + " has no metric " + name);
}

const json& test_of(const json& results, const std::string& name) {
    for (const auto& t : results["tests"])
        if (t["name"] == name) return t;
    throw std::runtime_error("no test " + name + " in the results");
}

class MetricsInRecords : public testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-metrics-records"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    json analyze(const std::string& trace, const std::string& config_text) {
        const std::string config = dir_ + "/pss.toml";
        std::ofstream(config) << "[pss]\n" << config_text;
        const auto r = run_process({pss_exe, "analyze", "--trace-file", trace, "--config", config, "--json",
                                    dir_ + "/results.json"});
        EXPECT_LE(r.exit_code, 1) << r.err;
        std::ifstream in(dir_ + "/results.json");
        return json::parse(in);
    }

    std::string dir_;
};

TEST_F(MetricsInRecords, GoogleTestRecordsCarryWhatEachRunDid) {
    pss::test::ProcessOptions options;
    options.env["PSS_TRACE_FILE"] = dir_ + "/trace.ndjson";
    options.unset_env = {"PSS_RUN"};
    const auto run = run_process({gtest_fixture, "--gtest_repeat=4"}, options);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto trace = pss::test::read_records(dir_ + "/trace.ndjson");
    ASSERT_EQ(trace.stats.malformed, 0u);
    int stable = 0, swinging = 0;
    for (const auto& r : trace.records) {
        if (r.kind != "test") continue;
        if (r.name == "Cache.StableHits") {
            ++stable;
            EXPECT_EQ(metric(r, "cache.hits{type=lru}"), 8);  // the change during the run, not the running total
            EXPECT_EQ(metric(r, "cache.hit_rate"), 0.75);
        } else if (r.name == "Cache.SwingingHitRate") {
            ++swinging;
            const bool even = r.run % 2 == 0;
            EXPECT_EQ(metric(r, "cache.hit_rate"), even ? 0.2 : 0.9);
            EXPECT_NEAR(metric(r, "db.query"), even ? 0.002 : 0.004, 1e-12);  // the mean of the run's timings
            EXPECT_EQ(r.metrics.size(), 2u) << "the counter of the other test is not this test's";
        } else if (r.name == "Plain.NoMetrics") {
            EXPECT_TRUE(r.metrics.empty());
        }
    }
    EXPECT_EQ(stable, 4);
    EXPECT_EQ(swinging, 4);

    // Without weights the metrics are reported, not scored.
    const json plain = analyze(dir_ + "/trace.ndjson", "");
    const json& swing = test_of(plain, "Cache.SwingingHitRate");
    const int pss_unweighted = swing["pss"];
    ASSERT_EQ(swing["metrics"].size(), 2u);
    EXPECT_EQ(swing["metrics"][0]["name"], "cache.hit_rate");
    EXPECT_EQ(swing["metrics"][0]["weight"], 0.0);
    // 0.2, 0.9, 0.2, 0.9 (warm-up aside): mean 0.55, sample stdev ~0.404, CV ~0.735
    const double cv = swing["metrics"][0]["cv"];
    EXPECT_GT(cv, 0.6);
    EXPECT_NEAR(static_cast<double>(swing["metrics"][0]["score"]), std::exp(-2 * cv), 1e-4);

    // Named in custom_metric_weights, the swinging hit rate lowers the test's PSS by the documented formula...
    const json weighted = analyze(dir_ + "/trace.ndjson", "custom_metric_weights = { \"cache.hit_rate\" = 1.0 }\n");
    const json& w = test_of(weighted, "Cache.SwingingHitRate");
    const double metric_score = w["metrics"][0]["score"];
    EXPECT_EQ(w["metrics"][0]["weight"], 1.0);
    const auto& b = w["breakdown"];
    const double base = 0.30 * double(b["timing_stability"]) + 0.20 * double(b["memory_stability"]) +
                        0.20 * double(b["error_volatility"]) + 0.15 * double(b["branching_entropy"]) +
                        0.15 * double(b["concurrency_chaos"]);
    EXPECT_NEAR(int(w["pss"]), std::round(100 * (base + 1.0 * metric_score) / 2.0), 1.0);
    EXPECT_LT(int(w["pss"]), pss_unweighted);
    // ...the steady hit rate (stability 1) counts for the stable one, and a
    // test that never recorded it keeps its PSS exactly.
    const json& steady = test_of(weighted, "Cache.StableHits");
    EXPECT_EQ(steady["metrics"][0]["score"], 1.0);
    EXPECT_GE(int(steady["pss"]), int(test_of(plain, "Cache.StableHits")["pss"]));
    EXPECT_EQ(test_of(weighted, "Plain.NoMetrics")["pss"], test_of(plain, "Plain.NoMetrics")["pss"]);

    // The table names the scored metric.
    const auto table = run_process({pss_exe, "analyze", "--trace-file", dir_ + "/trace.ndjson", "--config",
                                    dir_ + "/pss.toml"});
    EXPECT_NE(table.out.find("metric cache.hit_rate: stability"), std::string::npos) << table.out;
}

TEST_F(MetricsInRecords, Catch2RecordsCarryThem) {
    for (int run = 0; run < 2; ++run) {
        pss::test::ProcessOptions options;
        options.env["PSS_TRACE_FILE"] = dir_ + "/trace.ndjson";
        options.env["PSS_RUN"] = std::to_string(run);
        const auto r = run_process({catch2_fixture}, options);
        ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    }
    const auto trace = pss::test::read_records(dir_ + "/trace.ndjson");
    int seen = 0;
    for (const auto& r : trace.records) {
        if (r.kind != "test") continue;
        if (r.name == "queue depth varies with the run") {
            ++seen;
            EXPECT_EQ(metric(r, "queue.depth"), r.run == 0 ? 4.0 : 40.0);
            EXPECT_EQ(metric(r, "jobs.done"), 3);
        } else {
            EXPECT_TRUE(r.metrics.empty()) << r.name;
        }
    }
    EXPECT_EQ(seen, 2);
}

TEST_F(MetricsInRecords, ConfigRejectsAWeightThatIsNotANumber) {
    const std::string config = dir_ + "/pss.toml";
    std::ofstream(config) << "[pss]\ncustom_metric_weights = { \"cache.hit_rate\" = \"high\" }\n";
    std::ofstream(dir_ + "/t.ndjson") << R"({"name":"a","duration":0.1})" << "\n";
    const auto r = run_process({pss_exe, "analyze", "--trace-file", dir_ + "/t.ndjson", "--config", config});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("custom_metric_weights"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'cache.hit_rate' must be a weight"), std::string::npos) << r.err;
}

}  // namespace
