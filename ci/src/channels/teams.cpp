// Microsoft Teams incoming webhook: one MessageCard per alert. Markdown is
// off, so a test name cannot turn into a link or formatting.
#include <fmt/format.h>

#include "payload.hpp"

namespace pss::ci {

namespace {

class TeamsChannel final : public AlertChannel {
public:
    explicit TeamsChannel(std::string url) : url_(std::move(url)) {}
    std::string_view name() const override { return "teams"; }

    std::vector<HttpRequest> requests(const std::vector<Alert>& alerts, const AlertOrigin& origin) const override {
        std::vector<HttpRequest> out;
        for (const auto& a : alerts) {
            const char* color = a.severity == AlertSeverity::critical  ? "D00000"
                                : a.severity == AlertSeverity::warning ? "FFCC00"
                                                                       : "36A64F";
            channels::json facts = channels::json::array({
                {{"name", "Metric"}, {"value", a.metric}},
                {{"name", "Value"}, {"value", fmt::format("{:.2f}", a.value)}},
                {{"name", "Threshold"}, {"value", fmt::format("{:.2f}", a.threshold)}},
            });
            const std::string where = channels::origin_text(origin);
            if (!where.empty()) facts.push_back({{"name", "Run"}, {"value", where}});
            const channels::json card = {
                {"@type", "MessageCard"},
                {"@context", "http://schema.org/extensions"},
                {"themeColor", color},
                {"summary", channels::headline(a)},
                {"title", channels::headline(a)},
                {"sections", channels::json::array({{{"activityTitle", channels::headline(a)},
                                                      {"activitySubtitle", a.message},
                                                      {"facts", facts},
                                                      {"markdown", false}}})}};
            out.push_back({url_, channels::dump(card)});
        }
        return out;
    }

private:
    std::string url_;
};

}  // namespace

std::unique_ptr<AlertChannel> make_teams_channel(std::string url) {
    return std::make_unique<TeamsChannel>(std::move(url));
}

}  // namespace pss::ci
