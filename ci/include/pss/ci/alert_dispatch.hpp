// Sending alerts: the cooldown (kept in the history database, so every run
// and every parallel job shares it), then every channel, with a timeout and
// retries. A channel that is down is reported, never an error: alerting
// must not fail a test run.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pss/ci/alert_channels.hpp"
#include "pss/ci/alerts.hpp"
#include "pss/ci/history_store.hpp"
#include "pss/config/config.hpp"

namespace pss::ci {

struct ChannelDelivery {
    std::string channel;          // "slack", ...
    std::string address;          // the URL without its secret part
    std::size_t requests = 0, delivered = 0;
    std::string error;            // the first failure, with the attempts made
};

struct AlertDispatch {
    std::vector<Alert> sent;  // reached at least one channel
    std::vector<Alert> suppressed;  // within the cooldown
    std::vector<Alert> undelivered;  // reached no channel; the next run tries again
    std::vector<ChannelDelivery> channels;
    std::vector<std::string> suppressed_why;  // per suppressed alert: "sent 12 min ago (cooldown 60 min)"
};

// The cooldown key of an alert: its rule and the branch it is about.
std::string alert_key(const Alert& alert, const AlertOrigin& origin);

// Sends `alerts` that are not within `config.cooldown_seconds` of their last
// sending (per rule and branch) through `channels`. `cooldowns` may be null
// (no history database): then nothing is suppressed. All of it takes at most
// one channel's full retries (timeout x retries, plus the waits between);
// a channel that failed is not tried again for the next alerts; `cancelled`
// returning true (a SIGTERM) ends it at once.
AlertDispatch dispatch_alerts(const std::vector<Alert>& alerts, const AlertOrigin& origin,
                              const std::vector<std::unique_ptr<AlertChannel>>& channels, const AlertConfig& config,
                              HistoryStore* cooldowns, double now, std::function<bool()> cancelled = {});

}  // namespace pss::ci
