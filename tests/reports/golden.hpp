// Golden files: compare rendered output with tests/reports/golden/NAME;
// PSS_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "process.hpp"

namespace pss::test {

inline void expect_golden(const std::string& name, const std::string& actual) {
    const std::string path = std::string(GOLDEN_DIR) + "/" + name;
    if (const char* u = std::getenv("PSS_UPDATE_GOLDEN"); u && std::string(u) == "1") {
        write_file(path, actual);
        return;
    }
    if (!std::filesystem::exists(path)) FAIL() << "missing golden file " << path << "; create it with PSS_UPDATE_GOLDEN=1";
    const std::string expected = read_file(path);
    EXPECT_EQ(expected, actual) << "output differs from " << path
                                << "; if the change is intended, regenerate with PSS_UPDATE_GOLDEN=1";
}

}  // namespace pss::test
