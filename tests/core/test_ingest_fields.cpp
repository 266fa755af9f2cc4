// Reading only some fields (ReadOptions::fields): records keep those fields
// as a full read gives them and the others at their defaults, what is
// malformed stays malformed for the same reason, and records read with the
// Analyzer's fields give the analysis that records read whole give.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/record_fields.hpp"
#include "ingest/record_parser.hpp"
#include "pss/analysis.hpp"
#include "pss/trace_reader.hpp"
#include "pss/trace_writer.hpp"
#include "record_dump.hpp"

using namespace pss;
using pss::test_support::dump;

namespace {

// Records with every field set, some of them not simple (escapes, UTF-8,
// metadata), some malformed only in a field a reader may leave out.
std::string every_field_trace(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::string text;
    for (int i = 0; i < 3000; ++i) {
        TraceRecord r;
        r.name = "Suite.Case" + std::to_string(i % 23);
        r.module = "bin" + std::to_string(i % 3) + ".Suite";
        r.run = i / 23;
        r.timestamp = 1763800000.0 + i * 0.0123456789;
        r.duration = u(rng) * 1e-2;
        r.cpu_time = r.duration * u(rng);
        r.wait_time = r.duration - r.cpu_time;
        r.memory = std::round(u(rng) * 1e7);
        r.memory_diff = i % 4 == 0 ? -128 : 64;
        r.error = u(rng) < 0.1;
        if (r.error) {
            r.exception_type = "assertion";
            r.exception_message = i % 5 ? "expected 3" : "caf\xc3\xa9 \"quoted\"";
            r.failure_file = "tests/x_test.cpp";
            r.failure_line = 40 + i % 9;
        }
        if (i % 3) r.branch_tag = "path" + std::to_string(i % 4);
        r.filename = "tests/suite" + std::to_string(i % 3) + "_test.cpp";
        r.lineno = 10 + i % 23;
        r.kind = i % 10 ? "test" : "block";
        if (r.kind == "block") r.parent = "Suite.Case0";
        r.voluntary_context_switches = i % 7;
        r.involuntary_context_switches = i % 2;
        r.calls = i % 10 ? 0 : 3;
        text += to_json_line(r) + "\n";
        switch (i % 97) {  // now and then a line that is bad only in a field left out below
            case 5: text += R"({"name":"bad","module":"m","timestamp":"soon","duration":0.1})" "\n"; break;
            case 11: text += R"({"name":"bad","module":"m","cpu_time":1e400,"duration":0.1})" "\n"; break;
            case 17: text += R"({"name":"bad","module":"m","run":1e19,"duration":0.1})" "\n"; break;
            case 23: text += R"({"name":"bad","module":"m","kind":5,"duration":0.1})" "\n"; break;
            case 29: text += R"({"name":"bad","module":"m","memory_diff":[1],"duration":0.1})" "\n"; break;
            case 31: text += R"({"name":"ok","module":"m","parent":null,"calls":null,"timestamp":-0.0,"duration":0.1})" "\n"; break;
            case 37: text += R"({"system_metric":true,"metadata":{"lag":0.25},"timestamp":12.5})" "\n"; break;
            case 41: text += R"({"name":"ok","module":"m","calls":1e-5,"failure_line":123456789012345678,"duration":1})" "\n"; break;
            default: break;
        }
    }
    return text;
}

struct Read {
    std::vector<TraceRecord> records;
    ReadStats stats;
};

Read read(const std::string& text, std::vector<std::string_view> fields, unsigned threads = 1) {
    Read out;
    ReadOptions options;
    options.fields = std::move(fields);
    options.threads = threads;
    options.block_bytes = 8192;
    out.stats = read_trace_text(text, [&](const TraceRecord& r) { out.records.push_back(r); }, options);
    return out;
}

void expect_same_group(const GroupResult& a, const GroupResult& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.module, b.module);
    EXPECT_EQ(a.records, b.records) << a.name;
    EXPECT_EQ(a.errors, b.errors) << a.name;
    EXPECT_EQ(a.score.pss, b.score.pss) << a.name;
    EXPECT_EQ(a.score.breakdown.timing_stability, b.score.breakdown.timing_stability) << a.name;
    EXPECT_EQ(a.score.breakdown.memory_stability, b.score.breakdown.memory_stability) << a.name;
    EXPECT_EQ(a.score.breakdown.error_volatility, b.score.breakdown.error_volatility) << a.name;
    EXPECT_EQ(a.score.breakdown.branching_entropy, b.score.breakdown.branching_entropy) << a.name;
    EXPECT_EQ(a.score.breakdown.concurrency_chaos, b.score.breakdown.concurrency_chaos) << a.name;
    EXPECT_EQ(a.duration_mean, b.duration_mean) << a.name;
    EXPECT_EQ(a.duration_p50, b.duration_p50) << a.name;
    EXPECT_EQ(a.duration_p95, b.duration_p95) << a.name;
    EXPECT_EQ(a.duration_max, b.duration_max) << a.name;
    EXPECT_EQ(a.memory_peak, b.memory_peak) << a.name;
    EXPECT_EQ(a.filename, b.filename) << a.name;
    EXPECT_EQ(a.lineno, b.lineno) << a.name;
    EXPECT_EQ(a.first_failure, b.first_failure) << a.name;
    EXPECT_EQ(a.exact, b.exact) << a.name;
}

}  // namespace

TEST(IngestFields, OnlyTheAskedFieldsAreFilledAndMalformedStaysMalformed) {
    const std::string text = every_field_trace(1);
    const Read all = read(text, {});
    ASSERT_GT(all.stats.malformed, 0u);
    const std::vector<std::string_view> asked = {"name", "duration", "exception_message"};
    const auto mask = ingest::field_mask(asked);
    for (unsigned threads : {1u, 2u}) {
        const Read some = read(text, asked, threads);
        EXPECT_EQ(some.stats.records, all.stats.records);
        EXPECT_EQ(some.stats.malformed, all.stats.malformed);
        EXPECT_EQ(some.stats.first_malformed_line, all.stats.first_malformed_line);
        EXPECT_EQ(some.stats.first_malformed_reason, all.stats.first_malformed_reason);
        ASSERT_EQ(some.records.size(), all.records.size());
        for (std::size_t i = 0; i < all.records.size(); ++i) {
            TraceRecord expected = all.records[i];
            ingest::reset_fields(ingest::trace_record_fields(), ~mask, expected);
            ASSERT_EQ(dump(some.records[i]), dump(expected)) << "record " << i;
        }
    }
}

TEST(IngestFields, TheAnalyzersFieldsGiveTheSameAnalysis) {
    // If Analyzer::add() read a field that fields_read() leaves out, the
    // analyses would differ: every field here varies.
    const std::string text = every_field_trace(2);
    auto analyse = [&](std::vector<std::string_view> fields, unsigned threads) {
        AnalyzerOptions limits;
        limits.sample_cap = 100;  // some groups past the cap too
        Analyzer analyzer(limits);
        ReadOptions options;
        options.fields = std::move(fields);
        options.threads = threads;
        read_trace_text(text, [&](const TraceRecord& r) { analyzer.add(r); }, options);
        return analyzer.result(ScoringConfig{});
    };
    const Analysis whole = analyse({}, 1);
    const auto keys = Analyzer::fields_read();
    for (unsigned threads : {1u, 2u}) {
        const Analysis some = analyse({keys.begin(), keys.end()}, threads);
        EXPECT_EQ(some.records, whole.records);
        EXPECT_EQ(some.errors, whole.errors);
        EXPECT_EQ(some.overall.pss, whole.overall.pss);
        EXPECT_EQ(some.overall.breakdown.concurrency_chaos, whole.overall.breakdown.concurrency_chaos);
        EXPECT_EQ(some.estimated_groups, whole.estimated_groups);
        ASSERT_EQ(some.tests.size(), whole.tests.size());
        for (std::size_t i = 0; i < whole.tests.size(); ++i) expect_same_group(some.tests[i], whole.tests[i]);
        ASSERT_EQ(some.modules.size(), whole.modules.size());
        for (std::size_t i = 0; i < whole.modules.size(); ++i) expect_same_group(some.modules[i], whole.modules[i]);
    }
}

TEST(IngestFields, AnUnknownFieldIsAnError) {
    ReadOptions options;
    options.fields = {"name", "durration"};
    try {
        read_trace_text("{}\n", [](const TraceRecord&) {}, options);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'durration'"), std::string::npos) << e.what();
    }
}
