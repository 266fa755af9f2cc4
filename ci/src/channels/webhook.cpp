// Generic webhook: one JSON object per alert, with pypss's keys (rule,
// severity, message, metric, value, threshold, timestamp) and where it came from.
#include "payload.hpp"

namespace pss::ci {

namespace {

class WebhookChannel final : public channels::PerAlertChannel {
public:
    using PerAlertChannel::PerAlertChannel;
    std::string_view name() const override { return "webhook"; }

protected:
    channels::json payload(const Alert& a, const AlertOrigin& origin) const override {
        return {{"rule", a.rule},           {"severity", to_string(a.severity)}, {"message", a.message},
                {"metric", a.metric},       {"value", a.value},                  {"threshold", a.threshold},
                {"timestamp", origin.timestamp}, {"subjects", a.subjects},       {"service", "pss"},
                {"source", origin.source},  {"branch", origin.branch},           {"commit", origin.commit},
                {"host", origin.host}};
    }
};

}  // namespace

std::unique_ptr<AlertChannel> make_webhook_channel(std::string url) {
    return std::make_unique<WebhookChannel>(std::move(url));
}

}  // namespace pss::ci
