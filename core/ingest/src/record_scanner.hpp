// Finds where JSON values begin and end without parsing them, so that each
// record can be parsed (by simdjson) and, when malformed, skipped on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace pss::detail {

inline bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

class RecordScanner {
public:
    RecordScanner(const char* data, std::size_t size, std::uint64_t first_line = 1)
        : data_(data), size_(size), line_(first_line) {}

    bool at_end() const { return pos_ >= size_; }
    char peek() const { return data_[pos_]; }
    std::size_t position() const { return pos_; }
    std::uint64_t line() const { return line_; }  // 1-based line of the position
    void advance() { step(); }

    void skip_whitespace() {
        while (pos_ < size_ && is_space(data_[pos_])) step();
    }

    // Moves past one value (object, array, string or scalar). False when the
    // text ends first.
    bool skip_value() {
        skip_whitespace();
        if (at_end()) return false;
        const char c = data_[pos_];
        if (c == '"') return skip_string();
        if (c == '{' || c == '[') {
            int depth = 0;
            while (pos_ < size_) {
                const char d = data_[pos_];
                if (d == '"') {
                    if (!skip_string()) return false;
                    continue;
                }
                if (d == '{' || d == '[') ++depth;
                if (d == '}' || d == ']') --depth;
                step();
                if (depth == 0) return true;
            }
            return false;
        }
        while (pos_ < size_ && !is_space(data_[pos_]) && data_[pos_] != ',' && data_[pos_] != ']' &&
               data_[pos_] != '}')
            step();
        return true;
    }

    // At an object's '{': looks through its top-level keys for `key` whose
    // value is an array, and stops just inside that array's '['.
    bool find_top_level_array(std::string_view key) {
        skip_whitespace();
        if (at_end() || peek() != '{') return false;
        step();
        for (;;) {
            skip_whitespace();
            if (at_end() || peek() != '"') return false;
            const std::size_t key_begin = pos_ + 1;
            if (!skip_string()) return false;
            const std::string_view found(data_ + key_begin, pos_ - key_begin - 1);
            skip_whitespace();
            if (at_end() || peek() != ':') return false;
            step();
            skip_whitespace();
            if (at_end()) return false;
            if (found == key && peek() == '[') {
                step();
                return true;
            }
            if (!skip_value()) return false;
            skip_whitespace();
            if (at_end() || peek() != ',') return false;
            step();
        }
    }

    // After garbage inside an array: moves past the next top-level ',' (true),
    // or stops at the closing ']' or the end (false).
    bool skip_to_next_element() {
        while (pos_ < size_) {
            const char c = data_[pos_];
            if (c == ']') return false;
            if (c == ',') {
                step();
                return true;
            }
            if (c == '"' || c == '{' || c == '[') {
                if (!skip_value()) return false;
                continue;
            }
            step();
        }
        return false;
    }

private:
    void step() {
        if (data_[pos_] == '\n') ++line_;
        ++pos_;
    }

    bool skip_string() {
        step();  // opening quote
        while (pos_ < size_) {
            const char c = data_[pos_];
            if (c == '\\') {
                step();
                if (pos_ < size_) step();
                continue;
            }
            step();
            if (c == '"') return true;
        }
        return false;
    }

    const char* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
    std::uint64_t line_;
};

}  // namespace pss::detail
