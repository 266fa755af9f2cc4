// pss::gtest_main: GoogleTest's gtest_main with the pss listener installed.
#include <cstdio>

#include <gtest/gtest.h>

#include "pss/gtest.hpp"

int main(int argc, char** argv) {
    std::printf("Running main() from %s\n", __FILE__);
    testing::InitGoogleTest(&argc, argv);
    pss::gtest::install();
    return RUN_ALL_TESTS();
}
