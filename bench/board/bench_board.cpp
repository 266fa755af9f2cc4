// pss board on a large history: 10,000 tests x 200 runs (2 M test results)
// in SQLite, loaded into the board's model, served over HTTP. Prints, for
// every page and API call, the median and worst time of 20 requests against
// a baseline measured in the same run: the time the same server takes to
// answer a static page (/board.css), which is what HTTP itself costs here.
// The bar: every answer under 300 ms.
//
//   bench_board [--tests=10000] [--runs=200] [--db=FILE]   (an existing FILE is reused)
#include <algorithm>
#include <csignal>
#include <pthread.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "pss/board/model.hpp"
#include "pss/board/server.hpp"
#include "pss/ci/sqlite_history.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

void build_history(const std::string& db, int tests, int runs) {
    pss::ci::SqliteHistory store(db);
    for (int r = 0; r < runs; ++r) {
        pss::ci::StoredRun run;
        run.started_at = 1.7e9 + r * 600.0;
        run.context.branch = r % 5 == 4 ? "feature/b" + std::to_string(r % 3) : "main";
        run.context.commit = fmt::format("{:040x}", r);
        run.pss = 80 + r % 15;
        run.tests = tests;
        run.gate_exit = r % 9 == 0;
        std::vector<pss::ci::StoredTest> rows(static_cast<std::size_t>(tests));
        for (int t = 0; t < tests; ++t) {
            auto& s = rows[static_cast<std::size_t>(t)];
            s.name = fmt::format("Suite{}.Test{}_{}", t % 200, t, (t * 7919) % 1000);
            s.module = fmt::format("unit_tests.Suite{}", t % 200);
            s.binary = "unit_tests";
            const bool flaky = (t + r) % 97 == 0;
            s.pss = flaky ? 50 + (t + r) % 30 : 85 + (t * 31 + r) % 15;
            s.verdict = flaky ? "flaky" : s.pss < 80 ? "unstable" : "stable";
            s.breakdown = {0.8 + (t % 20) / 100.0, 1.0, flaky ? 0.6 : 1.0, 1.0, 0.95};
            s.runs = 10;
            s.failures = flaky ? 2 : 0;
            s.p50 = 1e-4 * (1 + t % 50);
            s.p95 = s.p50 * 1.4;
            s.durations = {s.p50, s.p95};
        }
        store.insert(run, rows);
        if (r % 20 == 19) std::fprintf(stderr, "  history: %d of %d runs stored\n", r + 1, runs);
    }
}

struct Timing {
    double median = 0, worst = 0;
};

Timing time_get(httplib::Client& client, const std::string& path, int repeat = 20) {
    std::vector<double> times;
    for (int i = 0; i < repeat; ++i) {
        const auto t = clock_type::now();
        const auto res = client.Get(path);
        times.push_back(since(t));
        if (!res || res->status != 200) {
            std::fprintf(stderr, "bench_board: %s failed\n", path.c_str());
            std::exit(1);
        }
    }
    std::sort(times.begin(), times.end());
    return {times[times.size() / 2], times.back()};
}

}  // namespace

int main(int argc, char** argv) {
    int tests = 10000, runs = 200;
    std::string db;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--tests=", 0) == 0) tests = std::stoi(a.substr(8));
        else if (a.rfind("--runs=", 0) == 0) runs = std::stoi(a.substr(7));
        else if (a.rfind("--db=", 0) == 0) db = a.substr(5);
        else {
            std::fprintf(stderr, "usage: bench_board [--tests=N] [--runs=N] [--db=FILE]\n");
            return 2;
        }
    }
    if (db.empty()) db = fmt::format("bench_board_{}x{}.db", tests, runs);
    if (!std::filesystem::exists(db)) {
        const auto t = clock_type::now();
        build_history(db, tests, runs);
        std::printf("history: %d tests x %d runs written to %s in %.1f s\n", tests, runs, db.c_str(), since(t));
    }
    pss::board::Model model;
    const auto load_start = clock_type::now();
    pss::board::load_history(model, *pss::ci::open_history_store(db));
    pss::board::finish(model);
    const double load = since(load_start);
    std::printf("model: %zu runs, %zu tests loaded in %.1f s\n", model.runs.size(), model.tests.size(), load);

    // SIGTERM stops the server (its stopper thread waits for it): blocked in
    // every thread, so that kill() below reaches the stopper alone.
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigaddset(&term, SIGINT);
    pthread_sigmask(SIG_BLOCK, &term, nullptr);
    int port = 0;
    std::thread server([&] {
        pss::board::ServerOptions options;
        options.port = 0;
        pss::board::serve(model, options, [&](int p) { __atomic_store_n(&port, p, __ATOMIC_RELEASE); });
    });
    while (__atomic_load_n(&port, __ATOMIC_ACQUIRE) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);

    const Timing baseline = time_get(client, "/board.css");
    const std::string newest = std::to_string(model.runs.size() - 1);
    const std::vector<std::pair<std::string, std::string>> calls = {
        {"page", "/"},
        {"script", "/board.js"},
        {"summary", "/api/summary"},
        {"runs", "/api/runs?limit=200"},
        {"tests (newest run, worst first)", "/api/tests?run=" + newest},
        {"tests filtered by verdict", "/api/tests?verdict=flaky&run=" + newest},
        {"tests filtered by suite", "/api/tests?suite=Suite7"},
        {"tests by name search", "/api/tests?q=test99"},
        {"tests sorted by p95, page 50", "/api/tests?sort=p95&offset=5000"},
        {"one test (all its runs)", "/api/test?id=" + std::to_string(model.tests.size() / 2)},
        {"branch comparison", "/api/compare?branch=feature/b1&baseline=main"},
    };
    std::printf("\n%-34s %10s %10s %8s\n", "request", "median", "worst", "ratio");
    std::printf("%-34s %8.2f ms %8.2f ms %8s\n", "baseline: static /board.css", baseline.median * 1e3,
                baseline.worst * 1e3, "1.0x");
    double slowest = 0;
    for (const auto& [name, path] : calls) {
        const Timing t = time_get(client, path);
        slowest = std::max(slowest, t.worst);
        std::printf("%-34s %8.2f ms %8.2f ms %7.1fx\n", name.c_str(), t.median * 1e3, t.worst * 1e3,
                    t.median / baseline.median);
    }
    std::printf("\nslowest answer: %.1f ms (bar: 300 ms) for %zu test results; load %.1f s\n", slowest * 1e3,
                static_cast<std::size_t>(tests) * static_cast<std::size_t>(runs), load);
    ::kill(::getpid(), SIGTERM);
    server.join();
    // The figure is reported, not asserted: a shared machine's stall must not
    // fail CI (the smoke run checks that every call answers 200).
    std::printf("%s\n", slowest < 0.3 ? "within the bar" : "OVER the bar");
    return 0;
}
