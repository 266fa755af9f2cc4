// The fast parser for simple records against simdjson's: on generated records
// of every shape (valid and not, every value type in every field, numbers in
// every notation) both must give the same record, or the same reason.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ingest/record_parser.hpp"
#include "pss/trace_writer.hpp"

using namespace pss;

namespace {

const std::vector<std::string> keys = {"name", "module", "run", "timestamp", "duration", "cpu_time", "wait_time",
                                       "memory", "memory_diff", "error", "exception_type", "exception_message",
                                       "branch_tag", "filename", "lineno", "kind", "parent", "failure_file",
                                       "failure_line", "voluntary_context_switches", "calls", "system_metric",
                                       "metadata", "unknown", "extra_field"};

std::string pick(std::mt19937_64& rng, const std::vector<std::string>& options) {
    return options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng)];
}

std::string random_number(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> kind(0, 9);
    std::uniform_real_distribution<double> u(0, 1);
    char buf[64];
    switch (kind(rng)) {
        case 0: return std::to_string(std::uniform_int_distribution<long long>(-1000000, 1000000)(rng));
        case 1: std::snprintf(buf, sizeof buf, "%.17g", u(rng) * 1e-3); return buf;
        case 2: std::snprintf(buf, sizeof buf, "%.15g", 1.7638e9 + u(rng) * 1e5); return buf;
        case 3: std::snprintf(buf, sizeof buf, "%.25f", u(rng)); return buf;  // more digits than a double holds
        case 4: std::snprintf(buf, sizeof buf, "%.6e", u(rng) * 1e12); return buf;
        case 5: std::snprintf(buf, sizeof buf, "%.3E", u(rng) * 1e-12); return buf;
        case 6: return pick(rng, {"0", "-0", "0.0", "-0.0", "1e400", "-1e400", "1e-400", "4.9e-324", "2.2250738585072014e-308",
                                  "1.7976931348623157e308", "9007199254740993", "18446744073709551616", "1E+2", "1e-2"});
        case 7: return pick(rng, {"01", "1.", ".5", "+1", "1e", "1e+", "--1", "0x10", "1.5.5", "-", "Infinity", "NaN"});
        case 8: return std::to_string(std::uniform_int_distribution<long long>(0, 1LL << 62)(rng));
        default: std::snprintf(buf, sizeof buf, "%.17g", u(rng) * 100); return buf;
    }
}

std::string random_value(std::mt19937_64& rng) {
    switch (std::uniform_int_distribution<int>(0, 11)(rng)) {
        case 0:
        case 1:
        case 2: return random_number(rng);
        case 3: return pick(rng, {"\"Suite.Test\"", "\"\"", "\"a b c\"", "\"tests/x_test.cpp\"", "\"assertion\""});
        case 4: return pick(rng, {"\"quote \\\" inside\"", "\"tab\\tnew\\nline\"", "\"\\u00e9t\\u00e9\"", "\"caf\xc3\xa9\"",
                                  "\"raw\ttab\"", "\"\\/slash\"", "\"bad \\x escape\""});
        case 5: return pick(rng, {"true", "false", "null", "tru", "nul", "falsey"});
        case 6: return pick(rng, {"{\"lag\":0.05}", "{\"lag\":null,\"x\":[1,2]}", "{}", "[]", "[1,\"a\",{\"b\":null}]",
                                  "{\"lag\":\"slow\"}"});
        default: return pick(rng, {"\"fast\"", "\"slow\"", "0.001", "1", "null", "true"});
    }
}

std::string random_record(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> fields(0, 12), space(0, 9);
    auto ws = [&]() -> std::string { return space(rng) == 0 ? pick(rng, {" ", "  ", "\t", " \r\n "}) : ""; };
    std::string text = "{" + ws();
    const int n = fields(rng);
    for (int i = 0; i < n; ++i) {
        if (i > 0) text += "," + ws();
        text += "\"" + pick(rng, keys) + "\"" + ws() + ":" + ws() + random_value(rng) + ws();
    }
    text += "}";
    switch (std::uniform_int_distribution<int>(0, 30)(rng)) {  // now and then, broken
        case 0: text.pop_back(); break;
        case 1: text += "x"; break;
        case 2: text = "[" + text + "]"; break;
        case 3: text.insert(text.size() / 2, ","); break;
        default: break;
    }
    return text;
}

struct Outcome {
    bool ok = false;
    std::string text;  // the record as the writer writes it, or the reason
};

Outcome parse(ingest::RecordParser& parser, const std::string& text) {
    std::string padded = text + std::string(ingest::parse_padding, '\0');
    TraceRecord r;
    r.name = "stale";  // the parser must reset every field
    r.branch_tag = "stale";
    Outcome out;
    out.ok = parser.parse(padded.data(), text.size(), padded.size(), r, out.text);
    if (out.ok) out.text = to_json_line(r) + (r.lag ? " lag=" + std::to_string(*r.lag) : "");
    return out;
}

}  // namespace

TEST(FastRecordParser, AgreesWithSimdjsonOnGeneratedRecords) {
    ingest::RecordParser fast(true), reference(false);
    std::mt19937_64 rng(2024);
    int accepted = 0;
    for (int i = 0; i < 200000; ++i) {
        const std::string text = random_record(rng);
        const Outcome a = parse(fast, text), b = parse(reference, text);
        ASSERT_EQ(a.ok, b.ok) << text << "\nfast: " << a.text << "\nsimdjson: " << b.text;
        ASSERT_EQ(a.text, b.text) << text;
        accepted += a.ok;
    }
    EXPECT_GT(accepted, 20000);  // the generator makes plenty of good records too
}

TEST(FastRecordParser, AgreesOnWhatTheListenersWrite) {
    ingest::RecordParser fast(true), reference(false);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    for (int i = 0; i < 20000; ++i) {
        TraceRecord r;
        r.name = "Suite.Case" + std::to_string(i);
        r.module = "unit_tests.Suite";
        r.run = i;
        r.timestamp = 1763800000.0 + u(rng) * 1e6;
        r.duration = u(rng) * std::pow(10.0, -6 + 6 * u(rng));
        r.cpu_time = r.duration * u(rng);
        r.wait_time = r.duration - r.cpu_time;
        r.memory = std::round(u(rng) * 1e9);
        r.memory_diff = -std::round(u(rng) * 1e4);
        r.error = u(rng) < 0.1;
        if (u(rng) < 0.5) r.branch_tag = "path" + std::to_string(i % 3);
        r.voluntary_context_switches = i;
        const std::string text = to_json_line(r);
        const Outcome a = parse(fast, text), b = parse(reference, text);
        ASSERT_TRUE(a.ok) << text << ": " << a.text;
        ASSERT_EQ(a.text, b.text);
        ASSERT_EQ(a.text, text);  // and both round-trip the writer exactly
    }
}

TEST(FastRecordParser, LongNumbersAreReadExactlyByBothParsers) {
    // simdjson 3.0.1 reads 0.95000000000000000000 as 0.0276...; both parsers must say 0.95.
    ingest::RecordParser fast(true), reference(false);
    for (const std::string number : {"0.95000000000000000000", "0.1372587628373062862419118", "1.000000000000000000001"}) {
        const std::string simple = "{\"duration\":" + number + "}";
        const std::string escaped = "{\"name\":\"a\\tb\",\"duration\":" + number + "}";  // not simple: simdjson reads it
        const double expected = std::stod(number);
        for (const auto* text : {&simple, &escaped}) {
            for (auto* parser : {&fast, &reference}) {
                std::string padded = *text + std::string(ingest::parse_padding, '\0'), why;
                TraceRecord r;
                ASSERT_TRUE(parser->parse(padded.data(), text->size(), padded.size(), r, why)) << why;
                EXPECT_EQ(r.duration, expected) << *text;
            }
        }
    }
}
