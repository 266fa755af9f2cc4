// Random test names and messages for the record encoders' round-trip tests:
// pieces that need escaping, control characters, a NUL, valid and invalid
// UTF-8.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace pss::test {

inline std::string random_text(std::mt19937& rng) {
    static const std::vector<std::string> pieces = {
        "Suite.Test", "\"", "\\", "\n", "\t", "\x01", "\x7f", "é", "日本", "\xff", "\xc3", "\xe2\x82", "/", " ", "{}",
        "Inst/Suite.Test/0", "emoji \xf0\x9f\x98\x80", std::string("nul\0in", 6), ""};
    std::string s;
    const int n = static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    return s;
}

}  // namespace pss::test
