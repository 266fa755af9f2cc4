// Microsoft Teams incoming webhook: one MessageCard per alert. Markdown is
// off, so a test name cannot turn into a link or formatting.
#include <fmt/format.h>

#include "payload.hpp"

namespace pss::ci {

namespace {

using channels::json;

class TeamsChannel final : public channels::PerAlertChannel {
public:
    using PerAlertChannel::PerAlertChannel;
    std::string_view name() const override { return "teams"; }

protected:
    json payload(const Alert& a, const AlertOrigin& origin) const override {
        json facts = json::array({
            {{"name", "Metric"}, {"value", a.metric}},
            {{"name", "Value"}, {"value", fmt::format("{:.2f}", a.value)}},
            {{"name", "Threshold"}, {"value", fmt::format("{:.2f}", a.threshold)}},
        });
        const std::string where = channels::origin_text(origin);
        if (!where.empty()) facts.push_back({{"name", "Run"}, {"value", where}});
        return {{"@type", "MessageCard"},
                {"@context", "http://schema.org/extensions"},
                {"themeColor", channels::severity_colour(a.severity)},
                {"summary", channels::headline(a)},
                {"title", channels::headline(a)},
                {"sections", json::array({{{"activityTitle", channels::headline(a)},
                                           {"activitySubtitle", a.message},
                                           {"facts", facts},
                                           {"markdown", false}}})}};
    }
};

}  // namespace

std::unique_ptr<AlertChannel> make_teams_channel(std::string url) {
    return std::make_unique<TeamsChannel>(std::move(url));
}

}  // namespace pss::ci
