// Slack incoming webhook: one message per alert, colour by severity.
#include <fmt/format.h>

#include "payload.hpp"

namespace pss::ci {

namespace {

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

class SlackChannel final : public AlertChannel {
public:
    explicit SlackChannel(std::string url) : url_(std::move(url)) {}
    std::string_view name() const override { return "slack"; }

    std::vector<HttpRequest> requests(const std::vector<Alert>& alerts, const AlertOrigin& origin) const override {
        std::vector<HttpRequest> out;
        for (const auto& a : alerts) {
            const char* color = a.severity == AlertSeverity::critical  ? "#d00000"
                                : a.severity == AlertSeverity::warning ? "#ffcc00"
                                                                       : "#36a64f";
            channels::json fields = channels::json::array({
                {{"title", "Message"}, {"value", slack_text(a.message)}, {"short", false}},
                {{"title", "Metric"}, {"value", slack_text(fmt::format("{}: {:.2f}", a.metric, a.value))},
                 {"short", true}},
                {{"title", "Threshold"}, {"value", fmt::format("{:.2f}", a.threshold)}, {"short", true}},
            });
            const std::string where = channels::origin_text(origin);
            if (!where.empty()) fields.push_back({{"title", "Run"}, {"value", slack_text(where)}, {"short", false}});
            const channels::json payload = {
                {"text", "*" + slack_text(channels::headline(a)) + "*"},
                {"attachments", channels::json::array({{{"color", color},
                                                         {"fallback", slack_text(a.message)},
                                                         {"fields", fields},
                                                         {"footer", "pss"},
                                                         {"ts", static_cast<long long>(origin.timestamp)}}})}};
            out.push_back({url_, channels::dump(payload)});
        }
        return out;
    }

private:
    std::string url_;
};

}  // namespace

std::unique_ptr<AlertChannel> make_slack_channel(std::string url) {
    return std::make_unique<SlackChannel>(std::move(url));
}

}  // namespace pss::ci
