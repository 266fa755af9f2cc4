// Escaping for every output format. Test names, messages and captured output
// come from the code under test and may contain anything: markup, control
// characters, invalid UTF-8. Every renderer passes such text through one of
// these functions, never around them.
#pragma once

#include <string>
#include <string_view>

namespace pss::text {

// Valid UTF-8 that every format can carry: invalid or overlong sequences and
// surrogates become U+FFFD; control characters other than tab and newline
// (and U+FFFE/U+FFFF, which XML forbids) become the visible text "\xNN".
std::string clean_text(std::string_view text);

// Only the UTF-8 part of clean_text: invalid sequences become U+FFFD,
// control characters stay (JSON escapes them itself).
std::string valid_utf8(std::string_view text);

// XML 1.0 character data and attribute values (double-quoted). Attribute
// values also encode tab and newline so attribute normalisation keeps them.
std::string xml_text(std::string_view text);
std::string xml_attribute(std::string_view text);

// HTML text and double-quoted attribute values.
std::string html_text(std::string_view text);

// One Markdown table cell: nothing in it can end the cell, start a new row,
// open a code span or form HTML; bidi overrides, line separators and C1
// controls show as \u{202E}; an '@' cannot mention anyone when the text is
// posted (a word joiner follows it).
std::string markdown_cell(std::string_view text);

// One CSV field (RFC 4180 quoting). A field a spreadsheet would take as a
// formula (=, +, -, @, tab or CR first) gets a leading apostrophe (OWASP).
std::string csv_field(std::string_view text);

// JSON text for <script type="application/json">: '<', '>' and '&' as \u003c
// etc., so the data can never close the script element or start markup.
std::string json_for_script(std::string_view json);

// GitHub workflow commands: the message part, and a property value
// (file=..., title=...).
std::string github_command_data(std::string_view text);
std::string github_command_property(std::string_view text);

}  // namespace pss::text
