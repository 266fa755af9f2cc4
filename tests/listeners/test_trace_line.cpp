// to_json_line is on the listener's per-test path and has a fast path for
// plain ASCII; its output must stay byte for byte what the straightforward
// encoding (nlohmann for every string, fmt for every number) produces.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pss/ingest/trace_reader.hpp"
#include "pss/record/trace_writer.hpp"
#include "random_text.hpp"

namespace {

std::string reference_string(std::string_view key, std::string_view value) {
    return fmt::format(",\"{}\":", key) +
           nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string reference_number(std::string_view key, double value) {
    if (!std::isfinite(value)) value = 0.0;
    if (value == std::trunc(value) && std::fabs(value) < 9.0e15)
        return fmt::format(",\"{}\":{}", key, static_cast<long long>(value));
    return fmt::format(",\"{}\":{}", key, value);
}

std::string reference_line(const pss::TraceRecord& r) {
    std::string out = reference_string("name", r.name);
    out[0] = '{';
    out += reference_string("module", r.module);
    out += fmt::format(",\"run\":{}", r.run);
    out += reference_number("timestamp", r.timestamp);
    out += reference_number("duration", r.duration);
    out += reference_number("cpu_time", r.cpu_time);
    out += reference_number("wait_time", r.wait_time);
    out += reference_number("memory", r.memory);
    out += reference_number("memory_diff", r.memory_diff);
    out += r.error ? ",\"error\":true" : ",\"error\":false";
    out += reference_string("exception_type", r.exception_type);
    out += reference_string("exception_message", r.exception_message);
    out += r.branch_tag ? reference_string("branch_tag", *r.branch_tag) : ",\"branch_tag\":null";
    out += reference_string("filename", r.filename);
    out += fmt::format(",\"lineno\":{}", r.lineno);
    if (!r.kind.empty()) out += reference_string("kind", r.kind);
    if (!r.parent.empty()) out += reference_string("parent", r.parent);
    if (!r.failure_file.empty())
        out += reference_string("failure_file", r.failure_file) + fmt::format(",\"failure_line\":{}", r.failure_line);
    if (r.voluntary_context_switches || r.involuntary_context_switches)
        out += fmt::format(",\"voluntary_context_switches\":{},\"involuntary_context_switches\":{}",
                           r.voluntary_context_switches, r.involuntary_context_switches);
    if (r.calls > 0) out += fmt::format(",\"calls\":{}", r.calls);
    return out + "}";
}

using pss::test::random_text;

double random_number(std::mt19937& rng) {
    switch (rng() % 7) {
        case 0: return 0.0;
        case 1: return static_cast<double>(rng() % 100000);
        case 2: return std::ldexp(static_cast<double>(rng()), -40);
        case 3: return -static_cast<double>(rng() % 5000);
        case 4: return 1.795321026734e9 + static_cast<double>(rng() % 1000) / 997.0;
        case 5: return std::numeric_limits<double>::quiet_NaN();
        default: return 1e300;
    }
}

TEST(TraceLine, MatchesTheReferenceEncodingAndReadsBack) {
    std::mt19937 rng(2024);
    for (int i = 0; i < 3000; ++i) {
        pss::TraceRecord r;
        r.name = "t" + random_text(rng);  // a record without a name is malformed
        r.module = random_text(rng);
        r.run = static_cast<std::int64_t>(rng() % 50);
        r.timestamp = random_number(rng);
        r.duration = std::abs(random_number(rng));  // a negative duration is malformed
        r.cpu_time = random_number(rng);
        r.wait_time = random_number(rng);
        r.memory = random_number(rng);
        r.memory_diff = random_number(rng);
        r.error = rng() % 2 == 0;
        r.exception_type = random_text(rng);
        r.exception_message = random_text(rng);
        if (rng() % 2) r.branch_tag = random_text(rng);
        r.filename = random_text(rng);
        r.lineno = static_cast<std::int64_t>(rng() % 1000);
        r.kind = rng() % 3 ? "test" : "";
        r.parent = random_text(rng);
        r.failure_file = random_text(rng);
        r.failure_line = static_cast<std::int64_t>(rng() % 100);
        r.voluntary_context_switches = static_cast<std::int64_t>(rng() % 3);
        r.calls = static_cast<std::int64_t>(rng() % 3);
        const std::string line = pss::to_json_line(r);
        ASSERT_EQ(line, reference_line(r)) << "record " << i;
        // Numbers are copied in fixed 24-byte blocks: the room reserved
        // keeps that much beyond the line.
        ASSERT_LE(line.size() + 24, pss::json_line_bound(r)) << "record " << i;
        std::uint64_t count = 0;
        const auto stats = pss::read_trace_text(line + "\n", [&](const pss::TraceRecord&) { ++count; });
        ASSERT_EQ(count, 1u) << line << " " << stats.warning();
    }
}

// The listener's own values, whole nanoseconds and microseconds divided, are
// written as plain decimals (no shortest-digits search) and read back as the
// very same doubles; a timestamp is too large for nanoseconds and goes by
// microseconds.
TEST(TraceLine, NanosecondsAndMicrosecondsAreDecimalsThatReadBackExactly) {
    struct Case {
        double duration, timestamp;
        const char* duration_text;
        const char* timestamp_text;
    };
    const Case cases[] = {
        {1 / 1e9, 1796161508094297 / 1e6, "\"duration\":0.000000001", "\"timestamp\":1796161508.094297"},
        {1197 / 1e9, 1796161508000000 / 1e6, "\"duration\":0.000001197", "\"timestamp\":1796161508,"},
        {123456789 / 1e9, 1796161508000001 / 1e6, "\"duration\":0.123456789", "\"timestamp\":1796161508.000001"},
        {1234567890123 / 1e9, 1796161508120000 / 1e6, "\"duration\":1234.567890123", "\"timestamp\":1796161508.12,"},
        {1500000000 / 1e9, 7 / 1e6, "\"duration\":1.5,", "\"timestamp\":0.000007,"},
    };
    for (const Case& c : cases) {
        pss::TraceRecord r;
        r.name = "T";
        r.duration = c.duration;
        r.cpu_time = c.duration;
        r.timestamp = c.timestamp;
        const std::string line = pss::to_json_line(r);
        EXPECT_NE(line.find(c.duration_text), std::string::npos) << line;
        EXPECT_NE(line.find(c.timestamp_text), std::string::npos) << line;
        std::vector<pss::TraceRecord> read;
        pss::read_trace_text(line + "\n", [&](const pss::TraceRecord& x) { read.push_back(x); });
        ASSERT_EQ(read.size(), 1u) << line;
        EXPECT_EQ(read[0].duration, c.duration) << line;
        EXPECT_EQ(read[0].cpu_time, c.duration) << line;
        EXPECT_EQ(read[0].timestamp, c.timestamp) << line;
    }
}

}  // namespace
