// Numbers and times as people read them, the same in every output.
#pragma once

#include <string>
#include <string_view>

namespace pss::text {

// "12.3 us", "4.56 ms", "1.20 s". Durations known only to the millisecond
// (`resolution` 0.001) below it read "<1 ms", not a false "0.0 us".
std::string format_seconds(double seconds, double resolution = 0);

// "512 B", "1.5 KiB", "12.0 MiB", "1.20 GiB".
std::string format_bytes(double bytes);

// "2026-11-22T04:36:20Z" (UTC) from seconds since the epoch; times before
// 1970 or after 9999 (or NaN) are clamped to those years.
std::string iso8601_utc(double epoch_seconds);

// Seconds since the epoch, now.
double now_epoch();

// Text from the code under test made safe for a terminal: invalid UTF-8
// replaced, control characters (escape sequences included) and the Unicode
// characters that reorder or break lines (U+202E, U+2028, U+0085, ...) shown
// as \xNN or \u{NNNN}.
std::string display_text(std::string_view text);

}  // namespace pss::text
