// SHA-256, for the Content-Security-Policy hash of the HTML report's one
// script: the browser then runs that script and nothing else.
#pragma once

#include <string>
#include <string_view>

namespace pss::reports {

// The digest as base64, as CSP's 'sha256-...' source expects it.
std::string sha256_base64(std::string_view data);

}  // namespace pss::reports
