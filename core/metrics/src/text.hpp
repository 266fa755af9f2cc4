// Locale-independent number formatting and the escaping the exports share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pss::metrics::detail {

// Shortest decimal that reads back as the same double ("0.1", "1e-05", "3").
// Non-finite values are the caller's business.
void append_double(std::string& out, double value);
void append_integer(std::string& out, std::int64_t value);
void append_integer(std::string& out, std::uint64_t value);
// Fixed notation with `decimals` digits after the point.
void append_fixed(std::string& out, double value, int decimals);

// Calls `byte` for each byte of `text` that is part of valid UTF-8, and
// `replacement` once for each byte that is not (a stray continuation byte,
// a truncated or overlong sequence, a surrogate, a code point past U+10FFFF).
template <class Byte, class Replacement>
void for_each_utf8(std::string_view text, Byte byte, Replacement replacement) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        std::size_t length = 0;
        std::uint32_t min = 0;
        if (c < 0x80) length = 1;
        else if ((c & 0xE0) == 0xC0) length = 2, min = 0x80;
        else if ((c & 0xF0) == 0xE0) length = 3, min = 0x800;
        else if ((c & 0xF8) == 0xF0) length = 4, min = 0x10000;
        bool valid = length != 0 && i + length <= n;
        std::uint32_t code = length == 1 ? c : c & (0x7Fu >> length);
        for (std::size_t k = 1; valid && k < length; ++k) {
            valid = (p[i + k] & 0xC0) == 0x80;
            code = (code << 6) | (p[i + k] & 0x3Fu);
        }
        if (valid && length > 1) valid = code >= min && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF);
        if (!valid) {
            replacement();
            ++i;
            continue;
        }
        for (std::size_t k = 0; k < length; ++k) byte(static_cast<char>(p[i + k]));
        i += length;
    }
}

// A JSON string literal: quotes, \" \\ \b \f \n \r \t, other control
// characters as \u00XX, invalid UTF-8 as U+FFFD.
void append_json_string(std::string& out, std::string_view text);

}  // namespace pss::metrics::detail
