// Generic webhook: one JSON object per alert, with pypss's keys (rule,
// severity, message, metric, value, threshold, timestamp) and where it came from.
#include "payload.hpp"

namespace pss::ci {

namespace {

class WebhookChannel final : public AlertChannel {
public:
    explicit WebhookChannel(std::string url) : url_(std::move(url)) {}
    std::string_view name() const override { return "webhook"; }

    std::vector<HttpRequest> requests(const std::vector<Alert>& alerts, const AlertOrigin& origin) const override {
        std::vector<HttpRequest> out;
        for (const auto& a : alerts) {
            const channels::json payload = {
                {"rule", a.rule},         {"severity", to_string(a.severity)}, {"message", a.message},
                {"metric", a.metric},     {"value", a.value},                  {"threshold", a.threshold},
                {"timestamp", origin.timestamp}, {"subjects", a.subjects},     {"service", "pss"},
                {"source", origin.source}, {"branch", origin.branch},          {"commit", origin.commit},
                {"host", origin.host}};
            out.push_back({url_, channels::dump(payload)});
        }
        return out;
    }

private:
    std::string url_;
};

}  // namespace

std::unique_ptr<AlertChannel> make_webhook_channel(std::string url) {
    return std::make_unique<WebhookChannel>(std::move(url));
}

}  // namespace pss::ci
