// The fast parser for simple records against simdjson's: on generated records
// of every shape (valid and not, every value type in every field, numbers in
// every notation) both must give the same record, or the same reason.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "record_parser.hpp"
#include "simple_record.hpp"
#include "pss/record/trace_writer.hpp"
#include "record_dump.hpp"

using namespace pss;
using pss::test_support::dump;
using pss::test_support::stale_record;

namespace {

const std::vector<std::string> keys = {"name", "module", "run", "timestamp", "duration", "cpu_time", "wait_time",
                                       "memory", "memory_diff", "error", "exception_type", "exception_message",
                                       "branch_tag", "filename", "lineno", "kind", "parent", "failure_file",
                                       "failure_line", "voluntary_context_switches", "calls", "system_metric",
                                       "metadata", "unknown", "extra_field",
                                       // near misses of known keys: prefixes, one byte more, a difference past byte 16
                                       "nam", "names", "run_", "voluntary_context_switchez", "involuntary_context_switches",
                                       "failure_lin", "metadata_"};

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
    // Most records name their test (one without a name is malformed).
    const bool named = std::uniform_int_distribution<int>(0, 9)(rng) != 0;
    if (named) text += "\"name\":\"T" + std::to_string(rng() % 5) + "\"" + (n > 0 ? "," + ws() : "");
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
    std::string text;    // the record as the writer writes it, or the reason
    std::string fields;  // dump() of the record
};

Outcome parse(ingest::RecordParser& parser, const std::string& text) {
    std::string padded = text + std::string(ingest::parse_padding, '\0');
    TraceRecord r = stale_record();  // the parser must reset every field the text does not set
    Outcome out;
    out.ok = parser.parse(padded.data(), text.size(), padded.size(), r, out.text);
    if (out.ok) {
        out.text = to_json_line(r);
        out.fields = dump(r);
    }
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
        ASSERT_EQ(a.fields, b.fields) << text;
        accepted += a.ok;
    }
    EXPECT_GT(accepted, 20000);  // the generator makes plenty of good records too
}

TEST(FastRecordParser, FieldsLeftOutKeepTheirDefaultsAndChangeNoVerdict) {
    // With any set of fields asked for, both parsers accept and reject what
    // they do with all fields, for the same reason, and give the asked
    // fields as a full read does and the others at their defaults.
    const auto table = ingest::trace_record_fields();
    std::mt19937_64 rng(31);
    ingest::RecordParser full(true);
    for (int round = 0; round < 40; ++round) {
        const auto mask = static_cast<ingest::FieldMask>(rng()) & ingest::fields_of(table);
        ingest::RecordParser fast(true, mask), reference(false, mask);
        for (int i = 0; i < 5000; ++i) {
            const std::string text = random_record(rng);
            const Outcome all = parse(full, text), a = parse(fast, text), b = parse(reference, text);
            ASSERT_EQ(a.ok, all.ok) << text;
            ASSERT_EQ(b.ok, all.ok) << text;
            if (!all.ok) {
                ASSERT_EQ(a.text, all.text) << text;
                ASSERT_EQ(b.text, all.text) << text;
                continue;
            }
            // The full read with the fields left out put back to their defaults.
            std::string padded = text + std::string(ingest::parse_padding, '\0'), why;
            TraceRecord expected;
            ASSERT_TRUE(full.parse(padded.data(), text.size(), padded.size(), expected, why));
            ingest::reset_fields(table, ~mask, expected);
            ASSERT_EQ(a.fields, dump(expected)) << text;
            ASSERT_EQ(b.fields, dump(expected)) << text;
        }
    }
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
        ASSERT_EQ(a.fields, b.fields);
        ASSERT_EQ(a.text, text);  // and both round-trip the writer exactly
    }
}

TEST(FastRecordParser, LongNumbersAreReadExactlyByBothParsers) {
    // simdjson 3.0.1 reads 0.95000000000000000000 as 0.0276...; both parsers must say 0.95.
    ingest::RecordParser fast(true), reference(false);
    for (const std::string number : {"0.95000000000000000000", "0.1372587628373062862419118", "1.000000000000000000001"}) {
        const std::string simple = "{\"name\":\"a\",\"duration\":" + number + "}";
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

TEST(FastRecordParser, KeysThatStartLikeAKnownKeyAreNotThatKey) {
    // The parser tries the key that came next in the last record first; a key
    // that merely starts like it must be read as the different key it is,
    // and the record still read by the fast parser, in any key order.
    ingest::SimpleRecordParser parser(ingest::trace_record_fields());
    const std::vector<std::string> records = {
        R"({"name":"a","run":1,"voluntary_context_switches":3})",
        R"({"names":"x","name":"b","run_":5,"run":2,"voluntary_context_switchez":9,"voluntary_context_switches":4})",
        R"({"nam":"y","run":3,"name":"c","voluntary_context_switches":5,"involuntary_context_switches":6})",
        R"({"voluntary_context_switches":6,"run":4,"name":"d"})",
        R"({"name":"e","run":5,"voluntary_context_switches":7})",
    };
    for (std::size_t i = 0; i < records.size(); ++i) {
        const std::string text = records[i] + std::string(ingest::parse_padding, '\0');
        TraceRecord r = stale_record();
        ASSERT_TRUE(parser.parse(text.data(), records[i].size(), r)) << records[i];
        EXPECT_EQ(r.name, std::string(1, static_cast<char>('a' + i))) << records[i];
        EXPECT_EQ(r.run, static_cast<std::int64_t>(i + 1)) << records[i];
        EXPECT_EQ(r.voluntary_context_switches, static_cast<std::int64_t>(i + 3)) << records[i];
        EXPECT_EQ(r.involuntary_context_switches, i == 2 ? 6 : 0) << records[i];
        EXPECT_EQ(r.duration, 0.0) << records[i];  // not in the record: reset
    }
}
