// Where alerts go: one small file per channel (ci/src/channels/), each
// turning alerts into the JSON its receiver expects. Adding a channel is one
// file and one line in make_alert_channels.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pss/ci/alerts.hpp"
#include "pss/config/config.hpp"

namespace pss::ci {

// What the alerts are about, for the receiver.
struct AlertOrigin {
    std::string source;  // the binaries, or the trace file
    std::string branch, commit, host;
    double timestamp = 0;  // seconds since the epoch
};

// A JSON POST to `url`.
struct HttpRequest {
    std::string url;
    std::string body;
};

class AlertChannel {
public:
    virtual ~AlertChannel() = default;
    virtual std::string_view name() const = 0;  // "slack", "teams", "webhook", "alertmanager"
    // The requests that deliver `alerts` (one per alert, or one for all).
    virtual std::vector<HttpRequest> requests(const std::vector<Alert>& alerts, const AlertOrigin& origin) const = 0;
};

std::unique_ptr<AlertChannel> make_slack_channel(std::string webhook_url);
std::unique_ptr<AlertChannel> make_teams_channel(std::string webhook_url);
std::unique_ptr<AlertChannel> make_webhook_channel(std::string url);
// `url`: the Alertmanager's base address (http://host:9093) or its /api/v2/alerts endpoint.
std::unique_ptr<AlertChannel> make_alertmanager_channel(std::string url);

// The channels the config turns on (a non-empty URL each).
std::vector<std::unique_ptr<AlertChannel>> make_alert_channels(const AlertConfig& config);

}  // namespace pss::ci
