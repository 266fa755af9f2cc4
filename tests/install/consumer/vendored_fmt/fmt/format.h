// A stand-in for a project's own copy of another fmt version: fmt's header
// path and namespace, another version (7.0) with its own inline namespace
// and a different API. The consumer's test binary uses it next to the pss
// listener; nothing of pss may include or link a different fmt.
#pragma once

#define FMT_VERSION 70000

#include <string>
#include <string_view>

namespace fmt {
inline namespace v7 {

std::string to_text(int value);
std::string to_text(std::string_view text);

inline std::string format(std::string_view pattern) { return std::string(pattern); }

// "{}" placeholders only.
template <class First, class... Rest>
std::string format(std::string_view pattern, const First& first, const Rest&... rest) {
    const auto at = pattern.find("{}");
    if (at == std::string_view::npos) return std::string(pattern);
    return std::string(pattern.substr(0, at)) + to_text(first) + format(pattern.substr(at + 2), rest...);
}

}  // namespace v7
}  // namespace fmt
