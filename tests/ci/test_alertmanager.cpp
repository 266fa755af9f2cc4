// A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on
// 127.0.0.1 receives pss's alerts through its API v2.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "http_receiver.hpp"
#include "process.hpp"
#include "pss/ci/sqlite_history.hpp"
#include "pss/ci/alert_dispatch.hpp"

using namespace pss;
using namespace pss::ci;

namespace {

constexpr const char* alertmanager = "/usr/bin/prometheus-alertmanager";

class AlertmanagerTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::access(alertmanager, X_OK) != 0)
            GTEST_SKIP() << alertmanager << " is not installed (./setup.sh deps installs prometheus-alertmanager)";
        dir_ = pss::test::make_temp_dir("pss-alertmanager");
        pss::test::write_file(dir_ + "/alertmanager.yml", "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
        port_ = pss::test::closed_port();
        const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
        const std::string config = "--config.file=" + dir_ + "/alertmanager.yml";
        const std::string storage = "--storage.path=" + dir_ + "/data";
        pid_ = fork();
        if (pid_ == 0) {
            const std::string log = dir_ + "/alertmanager.log";
            if (!freopen(log.c_str(), "w", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
            execl(alertmanager, alertmanager, config.c_str(), storage.c_str(), listen.c_str(),
                  "--cluster.listen-address=", static_cast<char*>(nullptr));
            _exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (pss::test::http_get(port_, "/-/ready").status != 200) {
            int status = 0;
            ASSERT_EQ(waitpid(pid_, &status, WNOHANG), 0) << "alertmanager exited:\n"
                                                          << pss::test::read_file(dir_ + "/alertmanager.log");
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "alertmanager did not become ready";
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    void TearDown() override {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace

TEST_F(AlertmanagerTest, ReceivesTheAlertWithItsLabelsAndAnnotations) {
    AlertConfig cfg;
    cfg.alertmanager_url = "http://127.0.0.1:" + std::to_string(port_);
    Alert a;
    a.rule = "Error Burst";
    a.severity = AlertSeverity::critical;
    a.metric = "error_volatility";
    a.value = 0.42;
    a.threshold = 0.8;
    a.message = "Error Burst: the run's error_volatility is 0.42, below the threshold 0.80";
    a.subjects = {"Flaky.FailsEveryThirdRun"};
    const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
    const AlertOrigin origin{"build/unit_tests", "main", "abc123", "ci", now};
    SqliteHistory store(dir_ + "/history.db");
    const auto d = dispatch_alerts({a}, origin, make_alert_channels(cfg), cfg, &store, now);
    ASSERT_EQ(d.sent.size(), 1u) << (d.channels.empty() ? "" : d.channels[0].error);

    // Alertmanager lists a new alert as "unprocessed" until its dispatcher has seen it.
    nlohmann::json alerts;
    for (int i = 0; i < 100; ++i) {
        const auto answer = pss::test::http_get(port_, "/api/v2/alerts");
        ASSERT_EQ(answer.status, 200);
        alerts = nlohmann::json::parse(answer.body);
        if (alerts.size() == 1 && alerts[0]["status"]["state"] == "active") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
    EXPECT_EQ(alerts[0]["labels"]["alertname"], "Error Burst");
    EXPECT_EQ(alerts[0]["labels"]["severity"], "critical");
    EXPECT_EQ(alerts[0]["labels"]["service"], "pss");
    EXPECT_EQ(alerts[0]["labels"]["branch"], "main");
    EXPECT_EQ(alerts[0]["annotations"]["summary"], a.message);
    EXPECT_EQ(alerts[0]["annotations"]["subjects"], "Flaky.FailsEveryThirdRun");
    EXPECT_EQ(alerts[0]["status"]["state"], "active");

    // Inside the cooldown the same alert is not sent again.
    const auto again = dispatch_alerts({a}, origin, make_alert_channels(cfg), cfg, &store, now + 60);
    EXPECT_EQ(again.suppressed.size(), 1u);
}
