// What the channels' payloads share.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "pss/ci/alert_channels.hpp"

namespace pss::ci::channels {

using json = nlohmann::ordered_json;

// Invalid UTF-8 (a hostile test name) becomes U+FFFD instead of throwing.
std::string dump(const json& j);

// The colour chat cards show for a severity, as hex digits: "D00000", "FFCC00", "36A64F".
const char* severity_colour(AlertSeverity severity);

// "CRITICAL: Error Burst"
std::string headline(const Alert& a);

// "branch main, commit 1a2b3c4, host ci-7: build/tests/unit_tests"
std::string origin_text(const AlertOrigin& o);


// A channel that POSTs one JSON object per alert to one URL; a subclass
// says what the object is.
class PerAlertChannel : public AlertChannel {
public:
    explicit PerAlertChannel(std::string url) : url_(std::move(url)) {}
    std::vector<HttpRequest> requests(const std::vector<Alert>& alerts, const AlertOrigin& origin) const final {
        std::vector<HttpRequest> out;
        for (const auto& a : alerts) out.push_back({url_, dump(payload(a, origin))});
        return out;
    }

protected:
    virtual json payload(const Alert& alert, const AlertOrigin& origin) const = 0;

private:
    std::string url_;
};

}  // namespace pss::ci::channels
