// The payload each alert channel sends, parsed back as its receiver would,
// including hostile test names.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pss/ci/alert_channels.hpp"

using namespace pss;
using namespace pss::ci;
using json = nlohmann::json;

namespace {

Alert hostile_alert() {
    Alert a;
    a.rule = "Error Burst";
    a.severity = AlertSeverity::critical;
    a.metric = "error_volatility";
    a.value = 0.42;
    a.threshold = 0.8;
    a.message = "Error Burst: least stable: <script>alert(1)</script> & \"x\" \xff\xfe 0.21";
    a.subjects = {"<script>alert(1)</script> & \"x\""};
    return a;
}

const AlertOrigin origin{"build/unit_tests", "main", "0123456789abcdef0123", "ci-7", 1764547200};

json body_of(const AlertChannel& c, const std::vector<Alert>& alerts, std::size_t i = 0) {
    const auto requests = c.requests(alerts, origin);
    EXPECT_GT(requests.size(), i);
    return json::parse(requests.at(i).body);  // throws on invalid JSON or UTF-8
}

}  // namespace

TEST(AlertChannels, SlackEscapesMarkupAndColoursBySeverity) {
    const auto slack = make_slack_channel("https://hooks.slack.com/services/T/B/secret");
    EXPECT_EQ(slack->name(), "slack");
    const auto requests = slack->requests({hostile_alert(), hostile_alert()}, origin);
    ASSERT_EQ(requests.size(), 2u);  // one message per alert
    EXPECT_EQ(requests[0].url, "https://hooks.slack.com/services/T/B/secret");
    const json j = json::parse(requests[0].body);
    EXPECT_EQ(j["text"], "*CRITICAL: Error Burst*");
    const json& att = j["attachments"][0];
    EXPECT_EQ(att["color"], "#D00000");
    const std::string message = att["fields"][0]["value"];
    EXPECT_EQ(message.find('<'), std::string::npos) << message;
    EXPECT_NE(message.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"x\""), std::string::npos) << message;
    EXPECT_NE(message.find("\xef\xbf\xbd"), std::string::npos);  // invalid UTF-8 became U+FFFD
    EXPECT_EQ(att["fields"][3]["value"], "branch main, commit 0123456789ab, host ci-7: build/unit_tests");
    EXPECT_EQ(att["ts"], 1764547200);
}

TEST(AlertChannels, TeamsSendsAMessageCardWithMarkdownOff) {
    const json j = body_of(*make_teams_channel("https://example.webhook.office.com/x"), {hostile_alert()});
    EXPECT_EQ(j["@type"], "MessageCard");
    EXPECT_EQ(j["themeColor"], "D00000");
    EXPECT_EQ(j["summary"], "CRITICAL: Error Burst");
    EXPECT_EQ(j["sections"][0]["markdown"], false);
    EXPECT_NE(std::string(j["sections"][0]["activitySubtitle"]).find("<script>"), std::string::npos);
    EXPECT_EQ(j["sections"][0]["facts"][1]["value"], "0.42");
}

TEST(AlertChannels, GenericWebhookHasPypssKeysAndWhereTheAlertCameFrom) {
    const json j = body_of(*make_webhook_channel("http://127.0.0.1:1/hook"), {hostile_alert()});
    for (const char* key : {"rule", "severity", "message", "metric", "value", "threshold", "timestamp", "subjects",
                            "source", "branch", "commit", "host"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["rule"], "Error Burst");
    EXPECT_EQ(j["severity"], "critical");
    EXPECT_DOUBLE_EQ(j["value"].get<double>(), 0.42);
    EXPECT_EQ(j["subjects"][0], "<script>alert(1)</script> & \"x\"");
    EXPECT_EQ(j["commit"], "0123456789abcdef0123");
}

TEST(AlertChannels, AlertmanagerPostsAllAlertsAsOneV2Batch) {
    Alert second = hostile_alert();
    second.rule = "Timing Stability Surge";
    second.severity = AlertSeverity::warning;
    for (const std::string base : {"http://127.0.0.1:9093", "http://127.0.0.1:9093/", "http://127.0.0.1:9093/api/v2/alerts"}) {
        const auto requests = make_alertmanager_channel(base)->requests({hostile_alert(), second}, origin);
        ASSERT_EQ(requests.size(), 1u);
        EXPECT_EQ(requests[0].url, "http://127.0.0.1:9093/api/v2/alerts") << base;
    }
    const json j = body_of(*make_alertmanager_channel("http://am:9093"), {hostile_alert(), second});
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["labels"]["alertname"], "Error Burst");
    EXPECT_EQ(j[0]["labels"]["severity"], "critical");
    EXPECT_EQ(j[0]["labels"]["service"], "pss");
    EXPECT_EQ(j[0]["labels"]["branch"], "main");
    EXPECT_EQ(j[1]["labels"]["severity"], "warning");
    EXPECT_EQ(j[0]["startsAt"], "2025-12-01T00:00:00Z");
    EXPECT_EQ(j[0]["annotations"]["threshold"], "0.8");
    EXPECT_EQ(make_alertmanager_channel("http://am:9093")->requests({}, origin).size(), 0u);
}

TEST(AlertChannels, TheConfigTurnsOnTheChannelsWithAnAddress) {
    AlertConfig cfg;
    EXPECT_TRUE(make_alert_channels(cfg).empty());
    cfg.slack_webhook = "https://hooks.slack.com/x";
    cfg.alertmanager_url = "http://127.0.0.1:9093";
    const auto channels = make_alert_channels(cfg);
    ASSERT_EQ(channels.size(), 2u);
    EXPECT_EQ(channels[0]->name(), "slack");
    EXPECT_EQ(channels[1]->name(), "alertmanager");
}
