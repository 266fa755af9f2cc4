// Text in a limited width: terminal tables and help that fit the screen,
// and messages that fit a service's size limit. Widths count code points
// (one column each), which is right for the names and messages pss shows.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pss::text {

// Columns `text` takes (UTF-8 code points).
std::size_t columns(std::string_view text);

// At most `max` columns: the start and the end of the text with "…" between
// them, so both the suite and the distinguishing tail of a long name show.
std::string shorten_middle(std::string_view text, std::size_t max);

// `text` cut to at most `max` columns, with "…" at the end when cut.
std::string shorten_end(std::string_view text, std::size_t max);

// `text` padded with spaces to `width` columns (never cut).
std::string pad_to(std::string text, std::size_t width);

// Words of `text` in lines of at most `width` columns; a word longer than a
// line is cut into pieces.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

// Length in UTF-16 code units, as web services count characters.
std::size_t utf16_length(std::string_view text);

// Levenshtein distance (bytes), for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace pss::text
