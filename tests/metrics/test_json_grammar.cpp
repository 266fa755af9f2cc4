// to_json() on random hostile names and tags must be valid JSON (RFC 8259)
// in valid UTF-8, and read back to the same structure.
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "metrics_test.hpp"

namespace {

// A strict recursive-descent JSON checker; counts the objects it reads.
class JsonChecker {
public:
    explicit JsonChecker(const std::string& text) : s_(text) {}
    bool valid() {
        skip_space();
        if (!value()) return false;
        skip_space();
        return i_ == s_.size();
    }
    int objects = 0;

private:
    bool value() {
        if (i_ >= s_.size()) return false;
        const char c = s_[i_];
        if (c == '{') return object();
        if (c == '[') return array();
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        return literal("true") || literal("false") || literal("null");
    }
    bool literal(const char* word) {
        const std::string w(word);
        if (s_.compare(i_, w.size(), w) != 0) return false;
        i_ += w.size();
        return true;
    }
    bool object() {
        ++objects;
        ++i_;
        skip_space();
        if (peek('}')) return ++i_, true;
        while (true) {
            skip_space();
            if (!string()) return false;
            skip_space();
            if (!peek(':')) return false;
            ++i_;
            skip_space();
            if (!value()) return false;
            skip_space();
            if (peek('}')) return ++i_, true;
            if (!peek(',')) return false;
            ++i_;
        }
    }
    bool array() {
        ++i_;
        skip_space();
        if (peek(']')) return ++i_, true;
        while (true) {
            skip_space();
            if (!value()) return false;
            skip_space();
            if (peek(']')) return ++i_, true;
            if (!peek(',')) return false;
            ++i_;
        }
    }
    bool string() {
        if (!peek('"')) return false;
        for (++i_; i_ < s_.size(); ++i_) {
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') return ++i_, true;
            if (c < 0x20) return false;
            if (c == '\\') {
                if (++i_ >= s_.size()) return false;
                const char e = s_[i_];
                if (e == 'u') {
                    for (int k = 0; k < 4; ++k)
                        if (++i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return false;
                } else if (std::string("\"\\/bfnrt").find(e) == std::string::npos) {
                    return false;
                }
            }
        }
        return false;
    }
    bool number() {
        const std::size_t start = i_;
        if (peek('-')) ++i_;
        if (peek('0')) ++i_;
        else if (!digits()) return false;
        if (peek('.') && (++i_, !digits())) return false;
        if (peek('e') || peek('E')) {
            ++i_;
            if (peek('+') || peek('-')) ++i_;
            if (!digits()) return false;
        }
        return i_ > start;
    }
    bool digits() {
        const std::size_t start = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        return i_ > start;
    }
    bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
    void skip_space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    }

    const std::string& s_;
    std::size_t i_ = 0;
};

bool valid_utf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2)) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

std::string random_bytes(std::mt19937& rng) {
    std::uniform_int_distribution<int> length(0, 6), byte(0, 255);
    std::string s;
    for (int i = length(rng); i > 0; --i) s.push_back(static_cast<char>(byte(rng)));
    return s;
}

}  // namespace

TEST_F(Metrics, JsonIsValidWhateverTheBytes) {
    std::mt19937 rng(77);
    for (int round = 0; round < 100; ++round) {
        pm::reset();
        for (int i = 0; i < 30; ++i) {
            const std::string name = random_bytes(rng), key = random_bytes(rng), value = random_bytes(rng);
            const std::vector<pm::Tag> tags{{key, value}};
            switch (rng() % 3) {
                case 0: pm::increment(name, 1, tags); break;
                case 1: pm::gauge(name, -2.5e-300, tags); break;
                default: pm::timing(name, 1e300, tags); break;
            }
        }
        const pm::Snapshot snapshot = pm::all();
        const std::string json = pm::to_json(snapshot);
        JsonChecker checker(json);
        ASSERT_TRUE(checker.valid()) << json;
        ASSERT_TRUE(valid_utf8(json)) << json;
        // The top object, and per series its own object and its tags object.
        const std::size_t series = snapshot.counters.size() + snapshot.gauges.size() + snapshot.timings.size();
        EXPECT_EQ(static_cast<std::size_t>(checker.objects), 1 + 2 * series);
    }
}
