// Alerting as a user sets it up: pss.toml turns it on, pss-run sends what
// fires to a real HTTP receiver on 127.0.0.1, once within the cooldown, and
// a channel that is down never changes the exit code.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "http_receiver.hpp"
#include "process.hpp"

using pss::test::ProcessResult;
using json = nlohmann::json;

namespace {

class AlertsCli : public ::testing::Test {
protected:
    void SetUp() override { dir_ = pss::test::make_temp_dir("pss-alerts-cli"); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void write_config(const std::string& extra) {
        pss::test::write_file(dir_ + "/pss.toml",
                              "[pss]\nalerts_enabled = true\nstorage_uri = \"history.db\"\n"
                              "alerts_generic_webhook = \"" + receiver_.url("/hook") + "\"\n" +
                                  "alerts_slack_webhook = \"" + receiver_.url("/slack/T0/B0/secret") + "\"\n" + extra);
    }
    // By default one flaky test among stable ones: the run's mean hides it, the alert must not. (Stable.Sleeps1ms
    // is left out: its timing on a loaded machine is not what these tests are about.)
    ProcessResult pss_run(std::vector<std::string> extra = {}, const std::string& filter = "Flaky.*:Stable.*-Stable.Sleeps1ms",
                          const std::string& faults = "", const std::string& repeat = "6") {
        std::vector<std::string> args{PSS_RUN_EXE, "--repeat", repeat, "--no-confirm", "--filter", filter};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"--", FIXTURE_GTEST});
        pss::test::ProcessOptions o;
        o.cwd = dir_;
        o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE", "GITHUB_ACTIONS"};
        if (!faults.empty()) o.env["FIXTURE_FAULTS"] = faults;
        return pss::test::run_process(args, o);
    }
    std::size_t hooks_for(const std::string& rule) const {
        const auto hooks = receiver_.requests_to("/hook");
        return static_cast<std::size_t>(std::count_if(hooks.begin(), hooks.end(), [&](const auto& r) {
            return json::parse(r.body)["rule"] == rule;
        }));
    }

    std::string dir_;
    pss::test::HttpReceiver receiver_;
};

}  // namespace

TEST_F(AlertsCli, AFlakyTestsErrorBurstReachesTheChannelsOnceWithinTheCooldown) {
    write_config("alerts_alertmanager_url = \"http://127.0.0.1:" + std::to_string(pss::test::closed_port()) + "\"\n" +
                 "alerts_retries = 1\n");
    const auto first = pss_run();
    EXPECT_EQ(first.exit_code, 1) << first.err;  // the flaky test fails the gate; the channel that is down does not matter
    EXPECT_NE(first.out.find("gate failed: 1 flaky test"), std::string::npos) << first.out;
    EXPECT_NE(first.err.find("pss: alert (critical): Error Burst: 1 test with error_volatility below the threshold "
                             "0.80: Flaky.FailsEveryThirdRun 0.42 (the run: 0.8"),
              std::string::npos)
        << first.err;
    EXPECT_NE(first.err.find("alerts sent to webhook (http://127.0.0.1:" + std::to_string(receiver_.port()) + "/…)"),
              std::string::npos)
        << first.err;
    EXPECT_NE(first.err.find("alert channel alertmanager"), std::string::npos) << first.err;
    EXPECT_EQ(first.err.find("secret"), std::string::npos) << "the webhook's secret path leaked: " << first.err;
    EXPECT_EQ(hooks_for("Error Burst"), 1u);
    const auto slack = receiver_.requests_to("/slack/T0/B0/secret");
    ASSERT_FALSE(slack.empty());
    EXPECT_NE(slack[0].body.find("Flaky.FailsEveryThirdRun"), std::string::npos);
    const json hook = json::parse(receiver_.requests_to("/hook")[0].body);
    EXPECT_NE(hook["source"].get<std::string>().find("fixture_gtest_faults"), std::string::npos);

    const auto second = pss_run();
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(second.err.find("pss: alert 'Error Burst' not sent again: sent"), std::string::npos) << second.err;
    EXPECT_EQ(hooks_for("Error Burst"), 1u);

    const auto off = pss_run({"--no-alerts"});
    EXPECT_EQ(off.err.find("alert"), std::string::npos) << off.err;
}

TEST_F(AlertsCli, WithACooldownOfZeroEveryRunAlertsAndCustomRulesFire) {
    write_config(
        "alerts_cooldown_seconds = 0\n"
        "[[pss.custom_alert_rules]]\nname = \"Flaky suite\"\nseverity = \"warning\"\nscope = \"test\"\n"
        "test_pattern = \"^Flaky\\\\.\"\nconditions = [{ metric = \"failures\", operator = \">=\", value = 1 }]\n");
    for (int i = 0; i < 2; ++i) {
        const auto r = pss_run();
        EXPECT_EQ(r.exit_code, 1) << r.err;
    }
    EXPECT_EQ(hooks_for("Error Burst"), 2u);
    EXPECT_EQ(hooks_for("Flaky suite"), 2u);
    const json custom = json::parse(receiver_.requests_to("/hook").back().body);
    EXPECT_EQ(custom["rule"], "Flaky suite");
    EXPECT_EQ(custom["subjects"][0], "Flaky.FailsEveryThirdRun");
}

TEST_F(AlertsCli, EnabledWithoutAChannelOnlyPrintsAndSaysSo) {
    pss::test::write_file(dir_ + "/pss.toml", "[pss]\nalerts_enabled = true\nstorage_uri = \"history.db\"\n");
    const auto r = pss_run();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("pss: alert (critical): Error Burst"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no channel is set"), std::string::npos) << r.err;
}

TEST_F(AlertsCli, ATestThatGotSlowerAgainstStoredHistoryIsAlertedOnce) {
    write_config("");
    // --fail-below 0: a scheduler hiccup on a loaded machine must not decide this test.
    const std::vector<std::string> store{"--store-history", "--fail-below", "0"};
    const auto before = pss_run(store, "Stable.*", "", "10");
    ASSERT_EQ(before.exit_code, 0) << before.err;
    EXPECT_EQ(before.err.find("Stability Regression"), std::string::npos) << before.err;

    const auto slower = pss_run(store, "Stable.*", "slow", "10");
    EXPECT_EQ(slower.exit_code, 0) << slower.err;  // regressions fail the gate only with --fail-on-regression
    EXPECT_NE(slower.err.find("pss: alert (critical): Stability Regression: 1 test regressed against the baseline: "
                              "Stable.Sleeps1ms (median duration"),
              std::string::npos)
        << slower.err;
    ASSERT_EQ(hooks_for("Stability Regression"), 1u);
    for (const auto& r : receiver_.requests_to("/hook")) {
        const json j = json::parse(r.body);
        if (j["rule"] == "Stability Regression") EXPECT_EQ(j["subjects"], json::array({"Stable.Sleeps1ms"}));
    }

    // Slower still, so that it regressed against a baseline that now holds
    // the slow run too: the alert fires again and the cooldown holds it back.
    const auto again = pss_run(store, "Stable.*", "slower", "10");
    EXPECT_NE(again.err.find("pss: alert 'Stability Regression' not sent again"), std::string::npos) << again.err;
    EXPECT_EQ(hooks_for("Stability Regression"), 1u);
}

namespace {

// A server that takes connections and never answers: the kernel completes
// them into its backlog and nobody reads.
class SilentServer {
public:
    SilentServer() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 64) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(a.sin_port);
    }
    ~SilentServer() { ::close(fd_); }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace

// Four channels that never answer: every alert of the run shares one
// deadline (a channel's timeout x retries), a channel that failed is not tried
// again for the next alert, and SIGTERM ends the alerting and the run at once.
TEST_F(AlertsCli, ChannelsThatNeverAnswerCannotHoldTheRunAndSigtermEndsIt) {
    SilentServer silent;
    auto config = [&](int timeout) {
        pss::test::write_file(dir_ + "/pss.toml",
                              "[pss]\nalerts_enabled = true\nalerts_cooldown_seconds = 0\nstorage_uri = \"history.db\"\n"
                              "alerts_generic_webhook = \"" + silent.url("/hook") + "\"\n" +
                                  "alerts_slack_webhook = \"" + silent.url("/slack/T0/B0/secret") + "\"\n" +
                                  "alerts_teams_webhook = \"" + silent.url("/teams") + "\"\n" +
                                  "alerts_alertmanager_url = \"" + silent.url("") + "\"\n" +
                                  "alerts_timeout_seconds = " + std::to_string(timeout) + "\nalerts_retries = 3\n");
    };
    std::vector<std::string> args{PSS_RUN_EXE, "--repeat", "6", "--no-confirm", "--filter",
                                  "Flaky.*:Faults.AlwaysFails:Stable.Adds", "--", FIXTURE_GTEST};
    pss::test::ProcessOptions o;
    o.cwd = dir_;
    o.unset_env = {"PSS_CONFIG", "PSS_TRACE_FILE", "GITHUB_ACTIONS"};
    o.env["FIXTURE_FAULTS"] = "fail";
    // Sent one channel after the other, 4 channels x 3 attempts x 2 s was
    // 30 s for one alert (minutes for several); side by side under one
    // deadline it is 2 s x 3 + 1.5 s between attempts. The limit is waiting
    // on sockets, not CPU, so a loaded machine does not stretch it.
    config(2);
    o.timeout_seconds = 25;
    const auto bounded = pss::test::run_process(args, o);
    EXPECT_EQ(bounded.exit_code, 1) << bounded.err;  // the failing test decides, not the channels
    EXPECT_EQ(bounded.signal, 0) << "still alerting after 25 s";
    EXPECT_NE(bounded.err.find("alert channel teams (http://127.0.0.1:"), std::string::npos) << bounded.err;
    EXPECT_NE(bounded.err.find("Timeout was reached"), std::string::npos) << bounded.err;

    // SIGTERM while the alerts wait (each attempt may take 20 s): 143 at once.
    config(20);
    o.send_signal = SIGTERM;
    o.send_signal_after = 4;
    const auto stopped = pss::test::run_process(args, o);
    EXPECT_EQ(stopped.exit_code, 128 + SIGTERM) << stopped.err;
    EXPECT_NE(stopped.err.find("interrupted"), std::string::npos) << stopped.err;
}
