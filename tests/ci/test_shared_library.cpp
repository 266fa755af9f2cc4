// libcurl and libpq are opened when first needed, not linked: a missing one
// is a clear error naming it and what to install, and pss starts without
// loading either.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "process.hpp"
#include "shared_library.hpp"

namespace {

TEST(SharedLibrary, AMissingLibrarySaysWhatToInstall) {
    pss::ci::SharedLibrary lib({"libpss-no-such-library.so.1", "libpss-no-such-library.so"}, "libpss-nothing1");
    int (*function)() = nullptr;
    EXPECT_FALSE(lib.bind(function, "anything"));
    EXPECT_EQ(function, nullptr);
    EXPECT_EQ(lib.error(),
              "libpss-no-such-library.so.1 is not installed (tried libpss-no-such-library.so.1, "
              "libpss-no-such-library.so): install it (Debian: apt-get install libpss-nothing1)");
}

TEST(SharedLibrary, AFunctionTheLibraryLacksSaysItIsTooOld) {
    pss::ci::SharedLibrary lib({"libz.so.1"}, "zlib1g");
    const char* (*version)() = nullptr;
    ASSERT_TRUE(lib.bind(version, "zlibVersion")) << lib.error();
    EXPECT_EQ(std::string(version()).substr(0, 1), "1");
    int (*missing)() = nullptr;
    EXPECT_FALSE(lib.bind(missing, "pss_no_such_function"));
    EXPECT_EQ(lib.error(), "libz.so.1 has no pss_no_such_function: it is too old for pss; install a newer one");
}

// What makes every command start fast: the pss program itself loads
// neither (nor the OpenSSL and Kerberos libraries they bring).
TEST(SharedLibrary, ThePssProgramLinksNeitherLibcurlNorLibpq) {
    pss::test::ProcessOptions o;
    const auto r = pss::test::run_process({"/usr/bin/ldd", PSS_EXE}, o);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("libcurl"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("libpq"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("libkrb5"), std::string::npos) << r.out;
}

}  // namespace
