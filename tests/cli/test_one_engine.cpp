// One engine for every command: the same records give the same per-test
// PSS, p50, p95 and verdict whether pss run scores them, pss merge reads
// them back from --traces, or pss analyze reads them.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "process.hpp"

using json = nlohmann::json;

namespace {

struct Numbers {
    int pss = 0;
    double p50 = 0, p95 = 0;
    std::string verdict;
    std::uint64_t runs = 0, failures = 0;
};

class OneEngine : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-one-engine"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    pss::test::ProcessResult pss(std::vector<std::string> args) {
        args.insert(args.begin(), PSS_EXE);
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE"};
        o.timeout_seconds = 240;
        return pss::test::run_process(args, o);
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    std::string dir_;
};

// Per test name, from a results JSON (run, merge) or an analysis JSON (analyze).
std::map<std::string, Numbers> numbers(const json& j) {
    std::map<std::string, Numbers> out;
    for (const auto& t : j["tests"]) {
        Numbers n;
        n.pss = t["pss"];
        n.verdict = t["verdict"];
        if (t.contains("duration")) {
            n.p50 = t["duration"]["p50"];
            n.p95 = t["duration"]["p95"];
            n.runs = t["runs"];
            n.failures = t["failures"];
        } else {
            n.p50 = t["duration_p50"];
            n.p95 = t["duration_p95"];
            n.runs = t["records"];
            n.failures = t["errors"];
        }
        out[t["name"]] = n;
    }
    return out;
}

}  // namespace

TEST_F(OneEngine, RunMergeAndAnalyzeAgreeOnEveryTest) {
    // --no-confirm: re-runs alone change verdicts after scoring, which a trace file does not record.
    const auto run = pss({"run", "--repeat", "5", "--no-confirm", "--json", path("run.json"), "--traces",
                          path("traces.ndjson"), "--", EXAMPLE_GTEST, EXAMPLE_CATCH2});
    ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
    const auto merge = pss({"merge", path("traces.ndjson"), "--json", path("merge.json")});
    ASSERT_TRUE(merge.exit_code == 0 || merge.exit_code == 1) << merge.err;
    const auto analyze = pss({"analyze", "--trace-file", path("traces.ndjson"), "--json", path("analyze.json")});
    ASSERT_EQ(analyze.exit_code, 0) << analyze.err;

    const auto from_run = numbers(json::parse(pss::test::read_file(path("run.json"))));
    const auto from_merge = numbers(json::parse(pss::test::read_file(path("merge.json"))));
    const auto from_analyze = numbers(json::parse(pss::test::read_file(path("analyze.json"))));
    ASSERT_GE(from_run.size(), 15u);
    ASSERT_EQ(from_merge.size(), from_run.size());
    for (const auto& [name, r] : from_run) {
        for (const auto* other : {&from_merge, &from_analyze}) {
            const auto it = other->find(name);
            ASSERT_NE(it, other->end()) << name;
            const Numbers& o = it->second;
            EXPECT_EQ(o.pss, r.pss) << name;
            EXPECT_DOUBLE_EQ(o.p50, r.p50) << name;
            EXPECT_DOUBLE_EQ(o.p95, r.p95) << name;
            EXPECT_EQ(o.verdict, r.verdict) << name;
            EXPECT_EQ(o.runs, r.runs) << name;
            EXPECT_EQ(o.failures, r.failures) << name;
        }
    }
}

TEST_F(OneEngine, NativeShardsKeepTheirClockResolutionThroughMerge) {
    // GoogleTest's own output has whole milliseconds: the records say so, so
    // merged shards are scored with the same 1 ms floor as the run itself.
    const auto run = pss({"run", "--mode", "native", "--repeat", "4", "--no-confirm", "--filter", "Stable.*", "--json",
                          path("run.json"), "--traces", path("native.ndjson"), "--", EXAMPLE_GTEST});
    ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
    const auto merge = pss({"merge", path("native.ndjson"), "--json", path("merge.json")});
    const json j = json::parse(pss::test::read_file(path("merge.json")));
    for (const auto& t : j["tests"]) EXPECT_DOUBLE_EQ(t["timing_resolution"].get<double>(), 0.001) << t["name"];
    EXPECT_EQ(numbers(j).at("Stable.AddsNumbers").pss,
              numbers(json::parse(pss::test::read_file(path("run.json")))).at("Stable.AddsNumbers").pss);
}
