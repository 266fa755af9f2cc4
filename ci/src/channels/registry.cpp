// The channels the config turns on; a new channel is one more line here.
#include "pss/ci/alert_channels.hpp"

namespace pss::ci {

std::vector<std::unique_ptr<AlertChannel>> make_alert_channels(const AlertConfig& c) {
    std::vector<std::unique_ptr<AlertChannel>> out;
    if (!c.slack_webhook.empty()) out.push_back(make_slack_channel(c.slack_webhook));
    if (!c.teams_webhook.empty()) out.push_back(make_teams_channel(c.teams_webhook));
    if (!c.generic_webhook.empty()) out.push_back(make_webhook_channel(c.generic_webhook));
    if (!c.alertmanager_url.empty()) out.push_back(make_alertmanager_channel(c.alertmanager_url));
    return out;
}

}  // namespace pss::ci
