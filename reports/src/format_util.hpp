// Small helpers shared by the renderers.
#pragma once

#include <string>
#include <string_view>

namespace pss::reports {

// "12.3 us", "4.56 ms", "1.20 s": durations as people read them.
std::string format_seconds(double seconds);

// Text from traces made safe for a terminal: control characters (escape
// sequences included) shown as \xNN, invalid UTF-8 replaced.
std::string display_text(std::string_view text);

}  // namespace pss::reports
