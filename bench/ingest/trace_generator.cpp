#include "trace_generator.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "pss/record/trace_record.hpp"
#include "pss/record/trace_writer.hpp"

namespace pss::bench {

namespace {

// How one test behaves from run to run.
struct TestModel {
    TraceRecord base;
    double median = 0, sigma = 0;   // lognormal duration, seconds
    double slow_rate = 0, slow_factor = 1;
    double memory = 0, leak = 0;    // bytes, bytes per run
    double error_rate = 0, burst = 0;
    double wait_share = 0;
    int tags = 0;
    bool failing = false;
};

std::vector<TestModel> make_tests(unsigned count, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<TestModel> tests(count);
    for (unsigned i = 0; i < count; ++i) {
        TestModel& t = tests[i];
        const unsigned binary = i % 3, suite = i / 17;
        t.base.module = fmt::format("{}_tests.Suite{}", binary == 0 ? "unit" : binary == 1 ? "integration" : "storage", suite);
        t.base.name = fmt::format("Suite{}.Case{}_{}", suite, i, i % 5 == 0 ? "HandlesLargeInputGracefully" : "Works");
        t.base.filename = fmt::format("tests/{}/suite{}_test.cpp", binary == 0 ? "unit" : "integration", suite);
        t.base.lineno = 20 + static_cast<std::int64_t>(i % 40) * 12;
        t.base.kind = "test";
        t.median = std::exp(std::log(20e-6) + u(rng) * std::log(200e-3 / 20e-6));  // 20 us .. 200 ms
        t.sigma = 0.02 + 0.4 * u(rng) * u(rng);
        t.slow_rate = u(rng) < 0.2 ? 0.05 : 0.005;
        t.slow_factor = 2 + 8 * u(rng);
        t.memory = std::round(std::exp(std::log(1024.0) + u(rng) * std::log(64e6 / 1024.0)));
        t.leak = u(rng) < 0.05 ? 64 * std::floor(1 + 16 * u(rng)) : 0;
        const double kind = u(rng);
        t.error_rate = kind < 0.05 ? 0.02 + 0.2 * u(rng) : 0.0;  // 5% flaky
        t.burst = kind < 0.02 ? 0.5 : 0.0;
        t.wait_share = u(rng) < 0.1 ? 0.5 * u(rng) : 0.02 * u(rng);
        t.tags = u(rng) < 0.2 ? 2 + static_cast<int>(3 * u(rng)) : 0;
    }
    return tests;
}

}  // namespace

std::uint64_t write_trace_file(const std::filesystem::path& path, const TraceShape& shape) {
    std::mt19937_64 rng(shape.seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::normal_distribution<double> normal(0, 1);
    auto tests = make_tests(shape.tests, rng);
    std::vector<bool> failed(tests.size(), false);

    std::FILE* out = std::fopen(path.c_str(), "wb");
    if (!out) throw std::system_error(errno, std::generic_category(), "cannot write " + path.string());
    std::vector<char> buffer(1 << 20);
    std::setvbuf(out, buffer.data(), _IOFBF, buffer.size());

    const char* messages[] = {"Expected equality of these values: size() and 3", "timeout after 60 s",
                              "std::runtime_error: connection reset by peer"};
    std::string line;
    double clock = 1763800000.0;
    std::uint64_t written = 0;
    for (std::int64_t run = 0; written < shape.records; ++run) {
        for (std::size_t i = 0; i < tests.size() && written < shape.records; ++i, ++written) {
            const TestModel& t = tests[i];
            TraceRecord r = t.base;
            r.run = run;
            r.timestamp = clock;
            r.duration = t.median * std::exp(t.sigma * normal(rng)) * (u(rng) < t.slow_rate ? t.slow_factor : 1.0);
            r.wait_time = r.duration * t.wait_share * u(rng);
            r.cpu_time = r.duration - r.wait_time;
            r.memory = std::round(t.memory * (1 + 0.02 * u(rng)) + t.leak * static_cast<double>(run));
            r.memory_diff = t.leak > 0 ? t.leak : 0;
            const bool fail = failed[i] ? u(rng) < t.burst : u(rng) < t.error_rate;
            failed[i] = fail;
            r.error = fail;
            if (fail) {
                const auto which = static_cast<std::size_t>(3 * u(rng)) % 3;
                r.exception_type = which == 1 ? "timeout" : which == 2 ? "exception:std::runtime_error" : "assertion";
                r.exception_message = messages[which];
                r.failure_file = r.filename;
                r.failure_line = r.lineno + 3;
            }
            if (t.tags > 0) r.branch_tag = fmt::format("path{}", static_cast<int>(u(rng) * t.tags));
            r.voluntary_context_switches = static_cast<std::int64_t>(r.wait_time * 2e4);
            r.involuntary_context_switches = u(rng) < 0.1 ? 1 : 0;
            clock += r.duration + 20e-6;
            line = to_json_line(r);
            line += '\n';
            std::fwrite(line.data(), 1, line.size(), out);
        }
    }
    const long size = std::ftell(out);
    if (std::fclose(out) != 0) throw std::system_error(errno, std::generic_category(), "cannot write " + path.string());
    return static_cast<std::uint64_t>(size);
}

}  // namespace pss::bench
