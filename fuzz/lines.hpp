// Splits a test binary's output into lines as the runner's reader of a child
// process does (runner/src/child_process.cpp): at '\n', without it; a line
// longer than 64 KiB in pieces; a last line without '\n' too.
#pragma once

#include <cstddef>
#include <string_view>

namespace pss::fuzz {

template <class Sink>
void for_each_line(std::string_view text, Sink&& sink) {
    constexpr std::size_t max_piece = 64 * 1024;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        if (end - pos > max_piece) {
            sink(text.substr(pos, max_piece));
            pos += max_piece;
            continue;
        }
        sink(text.substr(pos, end - pos));
        pos = end + 1;
    }
}

}  // namespace pss::fuzz
