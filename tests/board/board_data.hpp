// A history and a trace file for the board's tests: `tests` tests over
// `runs` runs on main and feature/x, with a flaky test that fails in the
// trace file (its failure points at a real source line), branch tags, and a
// test whose name is markup.
#pragma once

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "pss/ci/sqlite_history.hpp"
#include "servers.hpp"

namespace pss::test {

inline constexpr const char* flaky_test = "Net.ReconnectsAfterDrop";
inline constexpr const char* hostile_test = "<img src=x onerror=\"window.pssInjected=1\">";

inline void write_board_history(const std::string& db, int tests, int runs) {
    ci::SqliteHistory store(db);
    for (int r = 0; r < runs; ++r) {
        ci::StoredRun run;
        run.started_at = 1.7e9 + r * 3600;
        run.context.branch = r % 4 == 3 ? "feature/x" : "main";
        run.context.commit = "c0ffee" + std::to_string(r);
        run.pss = 90 - r % 7;
        run.tests = tests;
        run.gate_exit = r % 5 == 4 ? 1 : 0;
        std::vector<ci::StoredTest> rows;
        for (int t = 0; t < tests; ++t) {
            ci::StoredTest s;
            s.name = t == 0 ? flaky_test : t == 1 ? hostile_test : "Suite" + std::to_string(t % 10) + ".Test" + std::to_string(t);
            s.binary = "unit_tests";
            s.module = "unit_tests." + (t == 0 ? std::string("Net") : "Suite" + std::to_string(t % 10));
            const bool flaky = t == 0 || t % 17 == 5;
            const bool worse_on_feature = run.context.branch == "feature/x" && t % 3 == 0;
            s.pss = flaky ? 55 + (r % 3) : worse_on_feature ? 70 : 95;
            s.verdict = flaky ? "flaky" : "stable";
            s.breakdown = {0.9, 1.0, flaky ? 0.5 : 1.0, 1.0 - 0.01 * (r % 5), 1.0};
            s.runs = 10;
            s.failures = flaky ? 1 + r % 3 : 0;
            s.p50 = 0.001 * (1 + t % 5);
            s.p95 = s.p50 * 1.5;
            s.durations = {s.p50, s.p95};
            rows.push_back(std::move(s));
        }
        store.insert(run, rows);
    }
}

// `source` is a real file: the failure of the flaky test points at its line 3.
inline void write_board_traces(const std::string& path, const std::string& source) {
    std::ofstream src(source);
    src << "// a test source\nvoid reconnect_test() {\n    EXPECT_TRUE(reconnected);  // the failing line\n}\n";
    std::ofstream out(path);
    for (int run = 0; run < 30; ++run) {
        const bool failed = run % 4 == 1;
        out << R"({"name":")" << flaky_test << R"(","module":"unit_tests.Net","run":)" << run
            << R"(,"duration":)" << 0.001 * (1 + run % 3) << R"(,"memory":)" << 1024 * (run % 5)
            << R"(,"error":)" << (failed ? "true" : "false")
            << R"(,"exception_type":")" << (failed ? "assertion" : "") << R"(","exception_message":")"
            << (failed ? "Value of: reconnected\\n  Actual: false" : "") << R"(","branch_tag":")"
            << (run % 3 == 0 ? "fast-path" : "retry") << R"(","failure_file":")" << source
            << R"(","failure_line":3,"kind":"test","metrics":{"net.retries":)" << run % 4 << "}}\n";
        out << R"({"name":"<img src=x onerror=\"window.pssInjected=1\">","module":"unit_tests.Suite1","run":)" << run
            << R"(,"duration":0.002,"memory":0,"error":false,"kind":"test"})" << "\n";
    }
}

// The board's address once it says it serves ("http://127.0.0.1:PORT/"),
// or "" when it has not within `seconds`.
inline std::string wait_for_board_url(BackgroundProcess& board, double seconds = 30) {
    const std::regex serving("serving (http://127\\.0\\.0\\.1:(\\d+)/)");
    std::smatch m;
    for (double waited = 0; waited < seconds; waited += 0.05) {
        const std::string out = board.out();
        if (std::regex_search(out, m, serving)) return m[1].str();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
}

// Its port, from that address.
inline int board_port(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

}  // namespace pss::test
