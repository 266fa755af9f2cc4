// A GoogleTest binary of N trivial tests (default 10,000; --tests=N), built
// twice: with pss::gtest_main and with GTest::gtest_main. The tests are
// registered at run time, so both builds run exactly the same tests.
#include <cstdlib>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#if PSS_BENCH_WITH_PSS
#include <pss/gtest.hpp>
#endif

namespace {

class Trivial : public testing::Test {
public:
    explicit Trivial(int value) : value_(value) {}
    void TestBody() override { EXPECT_GE(value_, 0); }

private:
    int value_;
};

}  // namespace

int main(int argc, char** argv) {
    long count = 10000;
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]).starts_with("--tests=")) count = std::strtol(argv[i] + 8, nullptr, 10);
    testing::InitGoogleTest(&argc, argv);
    for (long i = 0; i < count; ++i) {
        const int value = static_cast<int>(i);
        testing::RegisterTest("Trivial", ("Test" + std::to_string(i)).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                              [value]() -> testing::Test* { return new Trivial(value); });
    }
#if PSS_BENCH_WITH_PSS
    pss::gtest::install();
#endif
    return RUN_ALL_TESTS();
}
