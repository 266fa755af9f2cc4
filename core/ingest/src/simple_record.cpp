#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fast_float/fast_float.h>

#include "simple_record.hpp"

namespace pss::ingest {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Eight bytes as a little-endian word: the first in the lowest byte.
std::uint64_t load_word(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    return w;
}

// How many of a word's bytes are ASCII digits before the first that is not
// (8: all of them). The usual SWAR test, which gives 0x33 exactly for a
// digit; a carry out of a non-digit byte can spoil only the bytes after it.
unsigned leading_digits(std::uint64_t w) {
    const std::uint64_t t = (w & 0xF0F0F0F0F0F0F0F0ull) | (((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4);
    const std::uint64_t x = t ^ 0x3333333333333333ull;
    return x == 0 ? 8 : static_cast<unsigned>(std::countr_zero(x)) / 8;
}

// The value of the first n (1..8) digits of a word: shifted so that they end
// the word after zero bytes (leading zeros), then three multiply-shift steps.
std::uint64_t value_of_leading(std::uint64_t w, unsigned n) {
    w <<= 64 - 8 * n;
    w = (w & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
    w = (w & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
    return (w & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32;
}

// Whether the text at `p` is the key `k` and its closing quote. Reads 32
// bytes, which the padding allows.
bool key_at(const char* p, const QuotedKey& k) {
#if defined(__SSE2__)
    const __m128i lo = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)),
                                      _mm_load_si128(reinterpret_cast<const __m128i*>(k.text.data())));
    const __m128i hi = _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)),
                                      _mm_load_si128(reinterpret_cast<const __m128i*>(k.text.data() + 16)));
    const auto equal = static_cast<std::uint32_t>(_mm_movemask_epi8(lo)) |
                       (static_cast<std::uint32_t>(_mm_movemask_epi8(hi)) << 16);
    return (equal & k.mask) == k.mask;
#else
    return std::memcmp(p, k.text.data(), k.size + 1) == 0;
#endif
}

enum class ValueType { string, number, boolean, null };

// The shape of a number's digits: what to_double's exact shortcut and the
// range check of fields nobody reads go by.
struct Digits {
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

    [[gnu::always_inline]] bool at_end() const { return p_ == end_; }
    // Listeners write no whitespace: one test, inlined, for the usual case.
    [[gnu::always_inline]] void skip_space() {
        if (p_ < end_ && is_space(*p_)) [[unlikely]]
            skip_more_space();
    }
    void skip_more_space() {
        while (p_ < end_ && is_space(*p_)) ++p_;
    }
    [[gnu::always_inline]] bool consume(char c) {
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }
    [[gnu::always_inline]] char peek() const { return p_ < end_ ? *p_ : '\0'; }

    // After a key's opening quote: moves past the key `k` and its closing
    // quote when they are what follows.
    bool skip_key(const QuotedKey& k) {
        if (static_cast<std::size_t>(end_ - p_) <= k.size || !key_at(p_, k)) return false;
        p_ += k.size + 1;
        return true;
    }

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
    // Also counts its digits; their value is worked out only when needed.
    bool number(std::string_view& out, Digits& digits) {
        const char* begin = p_;
        digits = Digits{};
        digits.negative = consume('-');
        // Eight at a time (the padding makes the load safe), the last word's
        // digits in one step too.
        auto take_digits = [&](bool fraction) {
            for (;;) {
                const auto room = static_cast<unsigned>(std::min<std::ptrdiff_t>(end_ - p_, 8));
                const unsigned n = std::min(leading_digits(load_word(p_)), room);
                if (n == 0) return;
                digits.count += static_cast<int>(n);
                if (fraction) digits.fraction += static_cast<int>(n);
                p_ += n;
                if (n < 8) return;
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

// The digits of a number without exponent as one integer, the point
// ignored, eight at a time; exact up to 19 digits.
std::uint64_t digits_value(std::string_view token, const Digits& d) {
    static constexpr std::uint64_t powers_of_ten[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    const char* p = token.data() + (d.negative ? 1 : 0);
    std::uint64_t value = 0;
    auto take = [&](int n) {
        while (n > 0) {
            const auto k = static_cast<unsigned>(std::min(n, 8));
            value = value * powers_of_ten[k] + value_of_leading(load_word(p), k);
            p += k;
            n -= static_cast<int>(k);
        }
    };
    take(d.count - d.fraction);
    if (d.fraction > 0) {
        ++p;  // the point
        take(d.fraction);
    }
    return value;
}

// The double simdjson gives for a valid JSON number: both round correctly.
// Up to 15 digits without exponent the value is one exact integer divided by
// one exact power of ten, which IEEE division rounds correctly (Clinger's
// fast path); anything longer (timestamps, durations written with 17
// digits) goes to fast_float, which rounds correctly too (Eisel-Lemire, with
// an exact fallback) and, unlike std::from_chars, is inlined here. Underflow,
// subnormals and overflow are left to simdjson.
bool to_double(const Value& v, double& out) {
    static constexpr double powers_of_ten[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6, 1e7,
                                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const Digits& d = v.digits;
    if (!d.exponent && d.count <= 15) {
        out = static_cast<double>(digits_value(v.text, d)) / powers_of_ten[d.fraction];
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

// Whether a number surely converts without overflow or underflow (and, for
// an integer field, fits in 64 bits), so that a field nobody reads is
// checked without converting it: no exponent, fewer than 300 digits (a
// nonzero value is then within 1e-300..1e300), and for an integer at most
// 18 before the point.
bool surely_in_range(const Digits& d, bool integer) {
    if (d.exponent || d.count >= 300) return false;
    return !integer || d.count - d.fraction <= 18;
}

// What assigning a value to a field did.
enum class Assigned {
    declined,   // the value does not fit the field: let simdjson decide
    stored,     // the field holds the value
    unchanged,  // the value is valid but leaves the field as it was (null, a non-string tag, a field not wanted)
};

// Checks the value as the simdjson parser would for this field and, when
// `store`, stores it. Not storing a number spares converting it.
Assigned assign(const RecordField& field, const Value& v, bool store, TraceRecord& r) {
    return std::visit(
        [&](auto member) -> Assigned {
            using T = std::remove_reference_t<decltype(r.*member)>;
            T& target = r.*member;
            if constexpr (std::is_same_v<T, std::string>) {
                if (v.type == ValueType::string) {
                    if (!store) return Assigned::unchanged;
                    target.assign(v.text);
                    return Assigned::stored;
                }
                return v.type == ValueType::null ? Assigned::unchanged : Assigned::declined;
            } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>) {
                constexpr bool integer = std::is_same_v<T, std::int64_t>;
                if (v.type == ValueType::null && field.null_is_malformed) return Assigned::declined;
                if (v.type == ValueType::null) {
                    if (integer && store) {
                        target = 0;  // as the simdjson parser reads it
                        return Assigned::stored;
                    }
                    return Assigned::unchanged;
                }
                if (v.type != ValueType::number) return Assigned::declined;
                if (!store && surely_in_range(v.digits, integer)) return Assigned::unchanged;
                double d = 0;
                if (!to_double(v, d)) return Assigned::declined;
                if (integer && !(std::fabs(d) < 9.2e18)) return Assigned::declined;
                if (!store) return Assigned::unchanged;
                target = static_cast<T>(d);
                return Assigned::stored;
            } else if constexpr (std::is_same_v<T, bool>) {
                bool b = false;
                if (!truth(v, b)) return Assigned::declined;
                if (!store) return Assigned::unchanged;
                target = b;
                return Assigned::stored;
            } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
                // No tag unless a string: pypss counts only strings.
                if (v.type != ValueType::string || !store) return Assigned::unchanged;
                target.emplace(v.text);
                return Assigned::stored;
            } else {
                return Assigned::declined;  // metadata and metrics are objects: not a simple record
            }
        },
        field.target);
}

// The index of the key at `key` (its text in place, before its closing quote) in the table, or -1.
int find_key(std::span<const QuotedKey> keys, std::string_view key) {
    if (key.size() > max_key_size) return -1;
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (keys[i].size == key.size() && key_at(key.data(), keys[i])) return static_cast<int>(i);
    return -1;
}

}  // namespace

SimpleRecordParser::SimpleRecordParser(std::span<const RecordField> fields, FieldMask wanted)
    : fields_(fields), wanted_(wanted) {
    if (fields.size() > max_fields) throw std::logic_error("SimpleRecordParser: more than 32 fields");
    for (const RecordField& f : fields) {
        if (f.key.size() > max_key_size) throw std::logic_error("SimpleRecordParser: a key longer than 31 bytes");
        QuotedKey& k = keys_.emplace_back();
        std::memcpy(k.text.data(), f.key.data(), f.key.size());
        k.text[f.key.size()] = '"';
        k.size = f.key.size();
        k.mask = k.size + 1 >= 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << (k.size + 1)) - 1;
    }
    next_key_.fill(unknown);
}

bool SimpleRecordParser::parse(const char* data, std::size_t len, TraceRecord& out) {
    Scanner s(data, data + len);
    FieldMask stored = 0;
    s.skip_space();
    if (!s.consume('{')) return false;
    s.skip_space();
    std::size_t previous = fields_.size();  // the last known key, or the record's start
    Value v;  // out of the loop: value() sets what each type needs, and zeroing it per field shows
    if (!s.consume('}')) {
        for (;;) {
            if (!s.consume('"')) return false;
            int i = -1;
            if (const std::uint8_t guess = next_key_[previous]; guess != unknown && s.skip_key(keys_[guess])) {
                i = guess;
            } else {
                std::string_view key;
                if (!s.string(key)) return false;
                i = find_key(keys_, key);
                if (i >= 0) next_key_[previous] = static_cast<std::uint8_t>(i);
            }
            s.skip_space();
            if (!s.consume(':')) return false;
            s.skip_space();
            if (!s.value(v)) return false;
            if (i >= 0) {
                const Assigned a = assign(fields_[static_cast<std::size_t>(i)], v, (wanted_ >> i) & 1, out);
                if (a == Assigned::declined) return false;
                if (a == Assigned::stored) stored |= FieldMask{1} << i;
                previous = static_cast<std::size_t>(i);
            }
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
    if (!s.at_end()) return false;
    // Instead of resetting the whole record first: only what this one did not set.
    reset_fields(fields_, ~stored, out);
    return true;
}

bool parse_simple_record(const char* data, std::size_t len, std::span<const RecordField> fields, TraceRecord& out) {
    SimpleRecordParser parser(fields);
    return parser.parse(data, len, out);
}

}  // namespace pss::ingest
