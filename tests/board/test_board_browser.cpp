// pss board in a real browser: Debian's Chromium driven by playwright-core
// (tests/browser/board_check.js) on a history of 300 tests x 24 runs and a
// trace file. Screenshots stay in the build folder (board-screenshots/) as
// CI artefacts. playwright-core is installed with `npm ci` from
// tests/browser/package-lock.json into the build folder when missing.
#include <filesystem>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "board_data.hpp"
#include "process.hpp"
#include "servers.hpp"

namespace {

using pss::test::run_process;
namespace fs = std::filesystem;

const std::string pss_exe = PSS_EXE;
const std::string npm_project = PSS_BROWSER_TESTS_DIR;  // package.json, package-lock.json, board_check.js
const std::string npm_dir = PSS_BROWSER_BUILD_DIR;     // where node_modules goes
constexpr const char* chromium = "/usr/bin/chromium";

std::string find_program(const char* name) {
    for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
        const std::string p = std::string(dir) + "/" + name;
        if (fs::exists(p)) return p;
    }
    return {};
}

TEST(BoardInChromium, LoadFilterOpenATestSwitchTabsWithoutConsoleErrors) {
    ASSERT_TRUE(fs::exists(chromium)) << chromium << " is missing: install the Debian package 'chromium' (setup.sh does)";
    const std::string node = find_program("node"), npm = find_program("npm");
    ASSERT_FALSE(node.empty()) << "node is missing: install the Debian packages 'nodejs' and 'npm' (setup.sh does)";
    if (!fs::exists(npm_dir + "/node_modules/playwright-core/package.json")) {
        ASSERT_FALSE(npm.empty()) << "npm is missing: install the Debian package 'npm' (setup.sh does)";
        fs::create_directories(npm_dir);
        for (const char* f : {"package.json", "package-lock.json"})
            fs::copy_file(npm_project + "/" + f, npm_dir + "/" + f, fs::copy_options::overwrite_existing);
        pss::test::ProcessOptions o;
        o.cwd = npm_dir;
        o.env["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1";
        o.timeout_seconds = 300;
        const auto installed = run_process({npm, "ci", "--no-audit", "--no-fund"}, o);
        ASSERT_EQ(installed.exit_code, 0) << "npm ci of playwright-core failed:\n" << installed.out << installed.err;
    }

    const std::string dir = pss::test::make_temp_dir("pss-board-browser");
    pss::test::write_board_history(dir + "/history.db", 300, 24);
    pss::test::write_board_traces(dir + "/traces.ndjson", dir + "/reconnect_test.cpp");
    pss::test::BackgroundProcess board({pss_exe, "board", "--db", dir + "/history.db", "--traces",
                                        dir + "/traces.ndjson", "--port", "0"});
    const std::string url = pss::test::wait_for_board_url(board, 60);
    ASSERT_FALSE(url.empty()) << board.out() << board.err();

    const std::string shots = std::string(PSS_SCREENSHOT_DIR);
    fs::create_directories(shots);
    pss::test::ProcessOptions o;
    o.env["NODE_PATH"] = npm_dir + "/node_modules";
    o.env["PSS_CHROMIUM"] = chromium;
    o.timeout_seconds = 240;
    const auto r = run_process({node, npm_project + "/board_check.js", url, shots, pss::test::flaky_test}, o);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("ok   no console errors"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(shots + "/3-test-scores.png"));
    board.signal(SIGTERM);
    EXPECT_EQ(board.wait(), 0) << board.err();
    fs::remove_all(dir);
}

}  // namespace
