// A test binary with its own fmt (vendored_fmt: another version than any pss
// was built with) and the pss listener in the same binary.
#include <fmt/format.h>
#include <gtest/gtest.h>

static_assert(FMT_VERSION == 70000, "the project's own fmt, not the system's");

namespace fmt {
inline namespace v7 {
std::string to_text(int value) { return std::to_string(value); }
std::string to_text(std::string_view text) { return std::string(text); }
}  // namespace v7
}  // namespace fmt

TEST(OwnFmt, FormatsWithTheProjectsFmt) { EXPECT_EQ(fmt::format("{} + {}", 1, "one"), "1 + one"); }
