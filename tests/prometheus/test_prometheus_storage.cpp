// Prometheus storage end to end: pss pushes a run's results to Debian's
// prometheus-pushgateway (storage_backend = "prometheus") and serves the
// history at /metrics (pss exporter, storage_mode = "pull"); a real
// prometheus scrapes both, and its HTTP API returns the values pss computed.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "servers.hpp"

namespace {

using nlohmann::json;
using pss::test::run_process;

const std::string pss_exe = PSS_EXE;

// A trace of two tests over 10 runs: one stable, one that fails 3 runs, with
// a label value that needs escaping in the exposition format.
void write_trace(const std::string& path) {
    std::ofstream out(path);
    for (int run = 0; run < 10; ++run) {
        out << R"({"name":"Math.Adds","module":"unit_tests.Math","run":)" << run
            << R"(,"duration":0.001,"cpu_time":0.001,"memory":0,"error":false,"kind":"test"})" << "\n";
        out << R"({"name":"Net.\"Quoted\" \\ name","module":"unit_tests.Net","run":)" << run
            << R"(,"duration":0.002,"cpu_time":0.002,"memory":0,"error":)" << (run % 3 == 1 ? "true" : "false")
            << R"(,"exception_type":"assertion","kind":"test"})" << "\n";
    }
}

// Instant query through Prometheus's HTTP API; waits (up to `seconds`) until
// the query returns at least one sample.
json query(int prometheus_port, const std::string& promql, double seconds = 45) {
    httplib::Client client("127.0.0.1", prometheus_port);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto res = client.Get("/api/v1/query?query=" + httplib::detail::encode_query_param(promql));
        if (res && res->status == 200) {
            last = json::parse(res->body);
            if (last["status"] == "success" && !last["data"]["result"].empty()) return last["data"]["result"];
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    ADD_FAILURE() << "Prometheus returned nothing for " << promql << ": " << last.dump();
    return json::array();
}

double value_of(const json& result) { return std::stod(result[0]["value"][1].get<std::string>()); }

class PrometheusStorage : public testing::Test {
protected:
    void SetUp() override {
        dir_ = pss::test::make_temp_dir("pss-prometheus-storage");
        write_trace(dir_ + "/trace.ndjson");
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
};

TEST_F(PrometheusStorage, PushedAndExportedResultsReadBackFromPrometheus) {
    pss::test::PushgatewayServer gateway;
    const int exporter_port = pss::test::free_port();

    // Push: storage_backend = "prometheus", storage_uri = the gateway.
    std::ofstream(dir_ + "/push.toml") << "[pss]\nstorage_backend = \"prometheus\"\nstorage_uri = \""
                                       << gateway.address() << "\"\n";
    pss::test::ProcessOptions env;
    env.env["GITHUB_REF_NAME"] = "feature/prom";
    env.unset_env = {"GITHUB_HEAD_REF"};
    env.cwd = dir_;
    const auto pushed = run_process({pss_exe, "analyze", "--trace-file", dir_ + "/trace.ndjson", "--config",
                                     dir_ + "/push.toml", "--store-history", "--json", dir_ + "/push.json"},
                                    env);
    ASSERT_LE(pushed.exit_code, 1) << pushed.err;
    EXPECT_NE(pushed.err.find("pushed to the Pushgateway at " + gateway.address()), std::string::npos) << pushed.err;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/.pss/history.db")) << "push mode writes no database";
    json results = json::parse(std::ifstream(dir_ + "/push.json"));
    int flaky_pss = -1;
    for (const auto& t : results["tests"])
        if (t["name"] == "Net.\"Quoted\" \\ name") flaky_pss = t["pss"];
    ASSERT_GE(flaky_pss, 0);

    // Pull: the same trace stored in a SQLite history, served by pss exporter.
    const std::string db = dir_ + "/history.db";
    std::ofstream(dir_ + "/pull.toml") << "[pss]\nstorage_backend = \"prometheus\"\nstorage_mode = \"pull\"\n"
                                       << "storage_uri = \"" << exporter_port << "\"\n";
    const auto stored = run_process({pss_exe, "analyze", "--trace-file", dir_ + "/trace.ndjson", "--config",
                                     dir_ + "/pull.toml", "--store-history", "--db", db},
                                    env);
    ASSERT_LE(stored.exit_code, 1) << stored.err;
    pss::test::BackgroundProcess exporter({pss_exe, "exporter", "--config", dir_ + "/pull.toml", "--db", db});
    ASSERT_TRUE(pss::test::wait_for_port(exporter_port, 30)) << exporter.err();

    pss::test::PrometheusServer prometheus(
        {{"pushgateway", gateway.address()}, {"pss_exporter", "127.0.0.1:" + std::to_string(exporter_port)}});

    // Both paths give Prometheus the run's PSS and the flaky test's PSS, pass
    // rate and labels. What came through the gateway keeps the job it was
    // pushed as (honor_labels): "pss".
    for (const std::string job : {"pss", "pss_exporter"}) {
        SCOPED_TRACE(job);
        const json run = query(prometheus.port(), "pss_run_pss{job=\"" + job + "\",branch=\"feature/prom\"}");
        ASSERT_FALSE(run.empty()) << prometheus.log();
        EXPECT_EQ(value_of(run), results["pss"].get<double>());
        const json flaky = query(prometheus.port(), "pss_test_pss{job=\"" + job +
                                                        "\",test=\"Net.\\\"Quoted\\\" \\\\ name\",suite=\"unit_tests.Net\"}");
        ASSERT_FALSE(flaky.empty());
        EXPECT_EQ(value_of(flaky), flaky_pss);
        EXPECT_EQ(flaky[0]["metric"]["test"], "Net.\"Quoted\" \\ name");  // escaped on the wire, whole again here
        EXPECT_EQ(flaky[0]["metric"]["branch"], "feature/prom");
        const json pass = query(prometheus.port(), "pss_test_pass_rate{job=\"" + job + "\",suite=\"unit_tests.Net\"}");
        ASSERT_FALSE(pass.empty());
        EXPECT_NEAR(value_of(pass), 0.7, 1e-9);
        const json verdicts = query(prometheus.port(), "pss_run_tests{job=\"" + job + "\",verdict=\"flaky\"}");
        ASSERT_FALSE(verdicts.empty());
        EXPECT_EQ(value_of(verdicts), 1);
        const json ts = query(prometheus.port(), "pss_run_subscore{job=\"" + job + "\",subscore=\"error_volatility\"}");
        ASSERT_FALSE(ts.empty());
        EXPECT_NEAR(value_of(ts), results["breakdown"]["error_volatility"].get<double>(), 1e-3);
    }
    exporter.signal(SIGTERM);
    EXPECT_EQ(exporter.wait(), 0) << exporter.err();
}

TEST_F(PrometheusStorage, AnUnreachableGatewayIsAClearError) {
    const int nothing = pss::test::free_port();
    std::ofstream(dir_ + "/push.toml") << "[pss]\nstorage_backend = \"prometheus\"\nstorage_uri = \"127.0.0.1:"
                                       << nothing << "\"\n";
    const auto r = run_process({pss_exe, "analyze", "--trace-file", dir_ + "/trace.ndjson", "--config",
                                dir_ + "/push.toml", "--store-history"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("could not push the results to the Pushgateway at http://127.0.0.1:" + std::to_string(nothing)),
              std::string::npos)
        << r.err;
}

}  // namespace
