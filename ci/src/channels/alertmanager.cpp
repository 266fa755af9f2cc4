// Prometheus Alertmanager, API v2: all alerts in one POST to /api/v2/alerts.
// Labels identify an alert (rule, severity, branch), annotations describe it.
#include <fmt/format.h>

#include "payload.hpp"
#include "pss/text/format.hpp"

namespace pss::ci {

namespace {

std::string endpoint(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() < 14 || url.compare(url.size() - 14, 14, "/api/v2/alerts") != 0) url += "/api/v2/alerts";
    return url;
}

class AlertmanagerChannel final : public AlertChannel {
public:
    explicit AlertmanagerChannel(std::string url) : url_(endpoint(std::move(url))) {}
    std::string_view name() const override { return "alertmanager"; }

    std::vector<HttpRequest> requests(const std::vector<Alert>& alerts, const AlertOrigin& origin) const override {
        if (alerts.empty()) return {};
        channels::json batch = channels::json::array();
        for (const auto& a : alerts) {
            channels::json labels = {{"alertname", a.rule}, {"severity", to_string(a.severity)}, {"service", "pss"}};
            if (!origin.branch.empty()) labels["branch"] = origin.branch;
            channels::json annotations = {{"summary", a.message},
                                          {"metric", a.metric},
                                          {"value", fmt::format("{:g}", a.value)},
                                          {"threshold", fmt::format("{:g}", a.threshold)}};
            if (!a.subjects.empty()) {
                std::string subjects;
                for (const auto& s : a.subjects) subjects += (subjects.empty() ? "" : ", ") + s;
                annotations["subjects"] = subjects;
            }
            const std::string where = channels::origin_text(origin);
            if (!where.empty()) annotations["description"] = where;
            batch.push_back({{"labels", labels}, {"annotations", annotations},
                             {"startsAt", text::iso8601_utc(origin.timestamp)}});
        }
        return {{url_, channels::dump(batch)}};
    }

private:
    std::string url_;
};

}  // namespace

std::unique_ptr<AlertChannel> make_alertmanager_channel(std::string url) {
    return std::make_unique<AlertmanagerChannel>(std::move(url));
}

}  // namespace pss::ci
