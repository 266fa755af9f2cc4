#include "pss/text/width.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace pss::text {

namespace {

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Byte offset of the code point `n` code points into `text` (or its size).
std::size_t offset_of(std::string_view text, std::size_t n) {
    std::size_t i = 0;
    for (std::size_t seen = 0; i < text.size(); ++i) {
        if (continuation(text[i])) continue;
        if (seen++ == n) return i;
    }
    return text.size();
}

constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // U+2026

}  // namespace

std::size_t columns(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return !continuation(c); }));
}

std::string shorten_middle(std::string_view text, std::size_t max) {
    const std::size_t n = columns(text);
    if (n <= max) return std::string(text);
    if (max <= 1) return std::string(ellipsis.substr(0, max ? ellipsis.size() : 0));
    const std::size_t keep = max - 1, head = (keep + 1) / 2, tail = keep - head;
    std::string out(text.substr(0, offset_of(text, head)));
    out += ellipsis;
    out += text.substr(offset_of(text, n - tail));
    return out;
}

std::string shorten_end(std::string_view text, std::size_t max) {
    if (columns(text) <= max) return std::string(text);
    if (max == 0) return {};
    return std::string(text.substr(0, offset_of(text, max - 1))) + std::string(ellipsis);
}

std::string pad_to(std::string text, std::size_t width) {
    const std::size_t n = columns(text);
    if (n < width) text.append(width - n, ' ');
    return text;
}

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
    width = std::max<std::size_t>(width, 8);
    std::vector<std::string> lines;
    std::string line;
    std::size_t line_cols = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        const std::size_t end = std::min(text.find(' ', i), text.size());
        std::string_view word = text.substr(i, end - i);
        i = end;
        if (word.empty()) break;
        while (columns(word) > width) {  // a word longer than a line: pieces
            if (!line.empty()) lines.push_back(std::exchange(line, {}));
            const std::size_t cut = offset_of(word, width);
            lines.emplace_back(word.substr(0, cut));
            word.remove_prefix(cut);
            line_cols = 0;
        }
        const std::size_t w = columns(word);
        if (!line.empty() && line_cols + 1 + w > width) {
            lines.push_back(std::exchange(line, {}));
            line_cols = 0;
        }
        if (!line.empty()) {
            line += ' ';
            ++line_cols;
        }
        line += word;
        line_cols += w;
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

std::size_t utf16_length(std::string_view text) {
    std::size_t n = 0;
    for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if ((b & 0xC0) == 0x80) continue;
        n += b >= 0xF0 ? 2 : 1;  // four-byte sequences are surrogate pairs
    }
    return n;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace pss::text
