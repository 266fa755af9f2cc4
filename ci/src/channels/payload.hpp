// What the channels' payloads share.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "pss/ci/alert_channels.hpp"

namespace pss::ci::channels {

using json = nlohmann::ordered_json;

// Invalid UTF-8 (a hostile test name) becomes U+FFFD instead of throwing.
std::string dump(const json& j);

// "CRITICAL: Error Burst"
std::string headline(const Alert& a);

// "branch main, commit 1a2b3c4, host ci-7: build/tests/unit_tests"
std::string origin_text(const AlertOrigin& o);

// RFC 3339 in UTC, as Alertmanager and most receivers expect.
std::string rfc3339(double epoch_seconds);

}  // namespace pss::ci::channels
