// Sending alerts to a real HTTP receiver on 127.0.0.1: every channel's
// request arrives, the cooldown (in a real SQLite history) stops repeats
// and is shared by processes, and a channel that is down or slow is reported
// without losing the alert for the next run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "http_receiver.hpp"
#include "process.hpp"
#include "pss/ci/sqlite_history.hpp"
#include "pss/ci/alert_dispatch.hpp"

using namespace pss;
using namespace pss::ci;
using json = nlohmann::json;

namespace {

Alert alert(std::string rule) {
    Alert a;
    a.rule = std::move(rule);
    a.severity = AlertSeverity::warning;
    a.metric = "timing_stability";
    a.value = 0.5;
    a.threshold = 0.7;
    a.message = a.rule + ": the run's timing_stability is 0.50, below the threshold 0.70";
    return a;
}

const AlertOrigin origin{"build/unit_tests", "main", "abc", "host", 1764547200};

class AlertDispatchTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = pss::test::make_temp_dir("pss-alerts");
        store_ = std::make_unique<SqliteHistory>(db());
        cfg_.timeout_seconds = 5;
        cfg_.retries = 3;
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    std::string db() const { return dir_ + "/history.db"; }
    AlertDispatch send(const std::vector<Alert>& alerts, double now) {
        return dispatch_alerts(alerts, origin, make_alert_channels(cfg_), cfg_, store_.get(), now);
    }

    std::string dir_;
    std::unique_ptr<SqliteHistory> store_;
    AlertConfig cfg_;
    pss::test::HttpReceiver receiver_;
};

}  // namespace

TEST_F(AlertDispatchTest, EveryChannelReceivesItsPayload) {
    cfg_.slack_webhook = receiver_.url("/slack/T/B/secret");
    cfg_.teams_webhook = receiver_.url("/teams");
    cfg_.generic_webhook = receiver_.url("/hook");
    cfg_.alertmanager_url = receiver_.url("");
    const auto d = send({alert("Timing Stability Surge"), alert("Error Burst")}, 1000);
    EXPECT_EQ(d.sent.size(), 2u);
    EXPECT_TRUE(d.undelivered.empty());
    ASSERT_EQ(d.channels.size(), 4u);
    for (const auto& c : d.channels) {
        EXPECT_EQ(c.delivered, c.requests) << c.channel;
        EXPECT_TRUE(c.error.empty()) << c.error;
    }
    EXPECT_EQ(d.channels[0].address, "http://127.0.0.1:" + std::to_string(receiver_.port()) + "/…");  // no secret

    ASSERT_EQ(receiver_.requests_to("/slack/T/B/secret").size(), 2u);
    ASSERT_EQ(receiver_.requests_to("/teams").size(), 2u);
    ASSERT_EQ(receiver_.requests_to("/hook").size(), 2u);
    const auto am = receiver_.requests_to("/api/v2/alerts");
    ASSERT_EQ(am.size(), 1u);
    for (const auto& r : receiver_.requests()) {
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.content_type, "application/json");
    }
    EXPECT_EQ(json::parse(receiver_.requests_to("/hook")[1].body)["rule"], "Error Burst");
    EXPECT_EQ(json::parse(receiver_.requests_to("/slack/T/B/secret")[0].body)["text"], "*WARNING: Timing Stability Surge*");
    EXPECT_EQ(json::parse(am[0].body).size(), 2u);
}

TEST_F(AlertDispatchTest, TheSameAlertIsNotRepeatedWithinTheCooldown) {
    cfg_.generic_webhook = receiver_.url("/hook");
    cfg_.cooldown_seconds = 3600;
    EXPECT_EQ(send({alert("Error Burst")}, 1000).sent.size(), 1u);
    const auto again = send({alert("Error Burst"), alert("Entropy Anomaly")}, 1000 + 1800);
    ASSERT_EQ(again.suppressed.size(), 1u);
    EXPECT_EQ(again.suppressed[0].rule, "Error Burst");
    EXPECT_EQ(again.suppressed_why[0], "sent 30 min ago (cooldown 60 min)");
    ASSERT_EQ(again.sent.size(), 1u);
    EXPECT_EQ(again.sent[0].rule, "Entropy Anomaly");
    EXPECT_EQ(receiver_.requests_to("/hook").size(), 2u);

    // Another process (a second store on the same file) shares the cooldown.
    SqliteHistory other(db());
    const auto third = dispatch_alerts({alert("Error Burst")}, origin, make_alert_channels(cfg_), cfg_, &other, 4000);
    EXPECT_EQ(third.suppressed.size(), 1u);
    // Past the cooldown it is sent again; another branch has its own cooldown.
    EXPECT_EQ(send({alert("Error Burst")}, 1000 + 3600).sent.size(), 1u);
    AlertOrigin release = origin;
    release.branch = "release";
    EXPECT_EQ(dispatch_alerts({alert("Error Burst")}, release, make_alert_channels(cfg_), cfg_, store_.get(), 4601)
                  .sent.size(),
              1u);
    EXPECT_EQ(receiver_.requests_to("/hook").size(), 4u);
}

TEST_F(AlertDispatchTest, AChannelThatIsDownIsReportedAndTheAlertIsTriedAgainNextRun) {
    cfg_.generic_webhook = "http://127.0.0.1:" + std::to_string(pss::test::closed_port()) + "/hook";
    const auto down = send({alert("Error Burst")}, 1000);
    EXPECT_TRUE(down.sent.empty());
    ASSERT_EQ(down.undelivered.size(), 1u);
    ASSERT_EQ(down.channels.size(), 1u);
    EXPECT_EQ(down.channels[0].delivered, 0u);
    EXPECT_NE(down.channels[0].error.find("after 3 attempts"), std::string::npos) << down.channels[0].error;

    // Nothing was sent, so nothing is held back: the next run sends it.
    cfg_.generic_webhook = receiver_.url("/hook");
    EXPECT_EQ(send({alert("Error Burst")}, 1010).sent.size(), 1u);
    EXPECT_EQ(receiver_.requests_to("/hook").size(), 1u);
}

TEST_F(AlertDispatchTest, ServerErrorsAreRetriedClientErrorsAreNot) {
    cfg_.generic_webhook = receiver_.url("/hook");
    receiver_.fail_next(2, 503);
    const auto retried = send({alert("Error Burst")}, 1000);
    EXPECT_EQ(retried.sent.size(), 1u);
    EXPECT_EQ(receiver_.requests_to("/hook").size(), 3u);  // 503, 503, 200

    receiver_.fail_next(5, 400);
    const auto rejected = send({alert("Entropy Anomaly")}, 1000);
    EXPECT_EQ(rejected.undelivered.size(), 1u);
    EXPECT_EQ(receiver_.requests_to("/hook").size(), 4u);  // one attempt only
    EXPECT_NE(rejected.channels[0].error.find("HTTP 400: receiver says no (after 1 attempt)"), std::string::npos)
        << rejected.channels[0].error;
}

TEST_F(AlertDispatchTest, AnAnswersControlSequencesNeverReachTheTerminal) {
    cfg_.generic_webhook = receiver_.url("/hook");
    receiver_.fail_next(1, 400, "\x1b]0;owned\x07\x1b[2J\x1b[31mno");
    const auto d = send({alert("Error Burst")}, 1000);
    ASSERT_EQ(d.channels.size(), 1u);
    EXPECT_EQ(d.channels[0].error.find('\x1b'), std::string::npos) << d.channels[0].error;
    EXPECT_EQ(d.channels[0].error.find('\x07'), std::string::npos) << d.channels[0].error;
    EXPECT_NE(d.channels[0].error.find("HTTP 400: "), std::string::npos) << d.channels[0].error;
    EXPECT_NE(d.channels[0].error.find("no (after 1 attempt)"), std::string::npos) << d.channels[0].error;
}

TEST_F(AlertDispatchTest, AChannelThatFailedIsNotTriedAgainForTheNextAlert) {
    cfg_.generic_webhook = receiver_.url("/hook");
    receiver_.fail_next(100, 503);
    pss::test::HttpReceiver slack;
    cfg_.slack_webhook = slack.url("/slack/T0/B0/x");
    const auto d = send({alert("Error Burst"), alert("Entropy Anomaly"), alert("Timing Drift")}, 1000);
    // The webhook sends one request per alert: the first failed 3 times, the
    // other two were not tried (9 attempts before).
    EXPECT_EQ(receiver_.requests_to("/hook").size(), 3u);
    ASSERT_EQ(d.channels.size(), 2u);
    for (const auto& c : d.channels)
        if (c.channel == "webhook") EXPECT_NE(c.error.find("HTTP 503"), std::string::npos) << c.error;
    EXPECT_FALSE(slack.requests_to("/slack/T0/B0/x").empty());  // the working channel is not held back
    EXPECT_EQ(d.sent.size(), 3u);
}

TEST_F(AlertDispatchTest, ASlowReceiverTimesOutInsteadOfHoldingTheRun) {
    cfg_.generic_webhook = receiver_.url("/hook");
    cfg_.timeout_seconds = 0.3;
    cfg_.retries = 2;
    receiver_.set_delay(2);
    const auto slow = send({alert("Error Burst")}, 1000);
    EXPECT_EQ(slow.undelivered.size(), 1u);
    EXPECT_NE(slow.channels[0].error.find("imeout"), std::string::npos) << slow.channels[0].error;
    EXPECT_NE(slow.channels[0].error.find("after 2 attempts"), std::string::npos) << slow.channels[0].error;
}

TEST_F(AlertDispatchTest, OfEightRacingProcessesOnlyOneSendsTheAlert) {
    cfg_.generic_webhook = receiver_.url("/hook");
    store_.reset();
    std::vector<pid_t> children;
    for (int i = 0; i < 8; ++i) {
        const pid_t pid = fork();
        if (pid == 0) {
            int code = 2;
            try {
                SqliteHistory mine(db());
                const auto d = dispatch_alerts({alert("Error Burst")}, origin, make_alert_channels(cfg_), cfg_, &mine, 1000);
                code = d.sent.size() == 1 ? 0 : d.suppressed.size() == 1 ? 1 : 2;
            } catch (...) {
            }
            _exit(code);
        }
        children.push_back(pid);
    }
    int sent = 0, suppressed = 0;
    for (pid_t pid : children) {
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status));
        sent += WEXITSTATUS(status) == 0;
        suppressed += WEXITSTATUS(status) == 1;
    }
    EXPECT_EQ(sent, 1);
    EXPECT_EQ(suppressed, 7);
    EXPECT_EQ(receiver_.requests_to("/hook").size(), 1u);
}

TEST_F(AlertDispatchTest, WithoutAHistoryDatabaseNothingIsSuppressed) {
    cfg_.generic_webhook = receiver_.url("/hook");
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(dispatch_alerts({alert("Error Burst")}, origin, make_alert_channels(cfg_), cfg_, nullptr, 1000)
                      .sent.size(),
                  1u);
}
