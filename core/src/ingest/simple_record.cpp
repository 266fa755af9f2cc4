#include <cmath>
#include <cstring>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fast_float/fast_float.h>

#include "record_fields.hpp"

namespace pss::ingest {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Eight ASCII digits in a little-endian word, and their value: the usual
// SWAR tests (each byte 0x30..0x39) and three multiply-shift steps.
bool eight_digits(std::uint64_t w) {
    return (((w & 0xF0F0F0F0F0F0F0F0ull) | (((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) ==
            0x3333333333333333ull);
}

std::uint64_t eight_digit_value(std::uint64_t w) {
    w = (w & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
    w = (w & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
    return (w & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32;
}

enum class ValueType { string, number, boolean, null };

// A number's decimal digits, for numbers that need no rounding.
struct Digits {
    std::uint64_t mantissa = 0;  // the first 19 digits, point ignored
    int count = 0;               // digits, leading zeros included
    int fraction = 0;            // of which after the point
    bool negative = false, exponent = false;
};

struct Value {
    ValueType type = ValueType::null;
    std::string_view text;  // a string's content, or a number's token
    bool boolean = false;
    Digits digits;
};

class Scanner {
public:
    Scanner(const char* p, const char* end) : p_(p), end_(end) {}

    bool at_end() const { return p_ == end_; }
    void skip_space() {
        while (p_ < end_ && is_space(*p_)) ++p_;
    }
    bool consume(char c) {
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }
    char peek() const { return p_ < end_ ? *p_ : '\0'; }

    // After the opening quote: printable ASCII up to the closing quote, no escapes.
    bool string(std::string_view& out) {
        const char* stop = find_special(p_);
        if (stop >= end_ || *stop != '"') return false;
        out = std::string_view(p_, static_cast<std::size_t>(stop - p_));
        p_ = stop + 1;
        return true;
    }

    // The first '"', '\\', control or non-ASCII byte from p on. The padding
    // past the block ends in zero bytes, so the search always stops.
    static const char* find_special(const char* p) {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
        for (;;) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            // Signed: bytes >= 0x80 are negative, so "< 0x20" catches them too.
            const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                             _mm_cmplt_epi8(v, space));
            if (const int mask = _mm_movemask_epi8(hit)) return p + __builtin_ctz(static_cast<unsigned>(mask));
            p += 16;
        }
#else
        for (;; ++p) {
            const auto c = static_cast<unsigned char>(*p);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
        }
#endif
    }

    // A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    // Also gathers its digits for to_double's exact shortcut.
    bool number(std::string_view& out, Digits& digits) {
        const char* begin = p_;
        digits = Digits{};
        digits.negative = consume('-');
        auto take_digits = [&](bool fraction) {
            // Eight at a time while there are eight (the padding makes the load safe).
            while (end_ - p_ >= 8) {
                std::uint64_t word;
                std::memcpy(&word, p_, 8);
                if (!eight_digits(word)) break;
                if (digits.count + 8 <= 19) digits.mantissa = digits.mantissa * 100000000 + eight_digit_value(word);
                digits.count += 8;
                if (fraction) digits.fraction += 8;
                p_ += 8;
            }
            while (p_ < end_ && is_digit(*p_)) {
                if (digits.count < 19) digits.mantissa = digits.mantissa * 10 + static_cast<std::uint64_t>(*p_ - '0');
                ++digits.count;
                if (fraction) ++digits.fraction;
                ++p_;
            }
        };
        if (p_ < end_ && *p_ == '0') {
            ++p_;
            ++digits.count;
        } else if (p_ < end_ && is_digit(*p_)) {
            take_digits(false);
        } else {
            return false;
        }
        if (consume('.')) {
            if (!(p_ < end_ && is_digit(*p_))) return false;
            take_digits(true);
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            if (!consume('+')) consume('-');
            if (!(p_ < end_ && is_digit(*p_))) return false;
            while (p_ < end_ && is_digit(*p_)) ++p_;
            digits.exponent = true;
        }
        out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
        return true;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
        p_ += word.size();
        return true;
    }

    bool value(Value& v) {
        switch (peek()) {
            case '"':
                ++p_;
                v.type = ValueType::string;
                return string(v.text);
            case 't': v.type = ValueType::boolean; v.boolean = true; return literal("true");
            case 'f': v.type = ValueType::boolean; v.boolean = false; return literal("false");
            case 'n': v.type = ValueType::null; return literal("null");
            default: v.type = ValueType::number; return number(v.text, v.digits);  // objects and arrays fail here
        }
    }

private:
    const char* p_;
    const char* end_;
};

// The double simdjson gives for a valid JSON number: both round correctly.
// Up to 15 digits and 22 decimals the value is one exact integer divided by
// one exact power of ten, which IEEE division rounds correctly (Clinger's
// fast path); anything longer (timestamps, durations written with 17
// digits) goes to fast_float, which rounds correctly too (Eisel-Lemire, with
// an exact fallback) and, unlike std::from_chars, is inlined here. Underflow,
// subnormals and overflow are left to simdjson.
bool to_double(const Value& v, double& out) {
    static constexpr double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const Digits& d = v.digits;
    if (!d.exponent && d.count <= 15 && d.fraction <= 22) {
        out = static_cast<double>(d.mantissa) / powers_of_ten[d.fraction];
        if (d.negative) out = -out;
        return true;
    }
    const std::string_view token = v.text;
    const auto [end, ec] = fast_float::from_chars(token.data(), token.data() + token.size(), out);
    if (ec != std::errc{} || end != token.data() + token.size()) return false;
    if (std::isnormal(out)) return true;
    if (out != 0.0) return false;  // subnormal
    for (char c : token) {
        if (c == 'e' || c == 'E') break;
        if (c >= '1' && c <= '9') return false;  // a nonzero number that underflowed
    }
    return true;
}

// pypss's truth value of a scalar, as the simdjson parser reads "error".
bool truth(const Value& v, bool& out) {
    switch (v.type) {
        case ValueType::boolean: out = v.boolean; return true;
        case ValueType::null: out = false; return true;
        case ValueType::string: out = !v.text.empty(); return true;
        case ValueType::number: {
            double d = 0;
            if (!to_double(v, d)) return false;
            out = d != 0.0;
            return true;
        }
    }
    return false;
}

bool assign(const RecordField& field, const Value& v, TraceRecord& r) {
    return std::visit(
        [&](auto member) -> bool {
            using T = std::remove_reference_t<decltype(r.*member)>;
            T& target = r.*member;
            if constexpr (std::is_same_v<T, std::string>) {
                if (v.type == ValueType::string) target.assign(v.text);
                return v.type == ValueType::string || v.type == ValueType::null;
            } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>) {
                if (v.type == ValueType::null) {
                    if constexpr (std::is_same_v<T, std::int64_t>) target = 0;  // as the simdjson parser reads it
                    return true;
                }
                double d = 0;
                if (v.type != ValueType::number || !to_double(v, d)) return false;
                if constexpr (std::is_same_v<T, double>) {
                    target = d;
                } else {
                    if (!(std::fabs(d) < 9.2e18)) return false;  // let simdjson's path decide
                    target = static_cast<std::int64_t>(d);
                }
                return true;
            } else if constexpr (std::is_same_v<T, bool>) {
                return truth(v, target);
            } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
                if (v.type == ValueType::string) target.emplace(v.text);
                return true;  // anything else: no tag, as pypss counts only strings
            } else {
                return false;  // metadata is an object: not a simple record
            }
        },
        field.target);
}

}  // namespace

bool parse_simple_record(const char* data, std::size_t len, std::span<const RecordField> fields, TraceRecord& out) {
    Scanner s(data, data + len);
    s.skip_space();
    if (!s.consume('{')) return false;
    s.skip_space();
    int hint = 0;
    if (!s.consume('}')) {
        for (;;) {
            std::string_view key;
            if (!s.consume('"') || !s.string(key)) return false;
            s.skip_space();
            if (!s.consume(':')) return false;
            s.skip_space();
            Value v;
            if (!s.value(v)) return false;
            const int i = find_field(fields, key, hint);
            if (i >= 0 && !assign(fields[static_cast<std::size_t>(i)], v, out)) return false;
            s.skip_space();
            if (s.consume(',')) {
                s.skip_space();
                continue;
            }
            if (s.consume('}')) break;
            return false;
        }
    }
    s.skip_space();
    return s.at_end();
}

}  // namespace pss::ingest
