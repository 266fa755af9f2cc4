// Slack incoming webhook: one message per alert, colour by severity.
#include <fmt/format.h>

#include "payload.hpp"

namespace pss::ci {

namespace {

using channels::json;

// Slack reads &, < and > as markup (<url|text> links): escape them in all text.
std::string slack_text(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

class SlackChannel final : public channels::PerAlertChannel {
public:
    using PerAlertChannel::PerAlertChannel;
    std::string_view name() const override { return "slack"; }

protected:
    json payload(const Alert& a, const AlertOrigin& origin) const override {
        json fields = json::array({
            {{"title", "Message"}, {"value", slack_text(a.message)}, {"short", false}},
            {{"title", "Metric"}, {"value", slack_text(fmt::format("{}: {:.2f}", a.metric, a.value))}, {"short", true}},
            {{"title", "Threshold"}, {"value", fmt::format("{:.2f}", a.threshold)}, {"short", true}},
        });
        const std::string where = channels::origin_text(origin);
        if (!where.empty()) fields.push_back({{"title", "Run"}, {"value", slack_text(where)}, {"short", false}});
        return {{"text", "*" + slack_text(channels::headline(a)) + "*"},
                {"attachments", json::array({{{"color", std::string("#") + channels::severity_colour(a.severity)},
                                              {"fallback", slack_text(a.message)},
                                              {"fields", fields},
                                              {"footer", "pss"},
                                              {"ts", static_cast<long long>(origin.timestamp)}}})}};
    }
};

}  // namespace

std::unique_ptr<AlertChannel> make_slack_channel(std::string url) {
    return std::make_unique<SlackChannel>(std::move(url));
}

}  // namespace pss::ci
