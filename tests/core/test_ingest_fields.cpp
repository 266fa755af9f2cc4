// Reading only some fields (ReadOptions::fields): records keep those fields
// as a full read gives them and the others at their defaults, what is
// malformed stays malformed for the same reason, and records read with the
// Analyzer's fields give the analysis that records read whole give.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "record_fields.hpp"
#include "record_parser.hpp"
#include "pss/scoring/analyzer.hpp"
#include "pss/ingest/trace_reader.hpp"
#include "pss/record/trace_writer.hpp"
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
        r.run_delay = i % 6 ? 0 : r.duration * u(rng) * 0.5;
        r.warmup = r.run < 1;
        r.timing_resolution = i % 46 < 23 ? 0 : 0.001;
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

template <class Group>
void expect_same_group(const Group& a, const Group& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.runs, b.runs) << a.name;
    EXPECT_EQ(a.failures, b.failures) << a.name;
    EXPECT_EQ(a.score.pss, b.score.pss) << a.name;
    EXPECT_EQ(a.score.breakdown.timing_stability, b.score.breakdown.timing_stability) << a.name;
    EXPECT_EQ(a.score.breakdown.memory_stability, b.score.breakdown.memory_stability) << a.name;
    EXPECT_EQ(a.score.breakdown.error_volatility, b.score.breakdown.error_volatility) << a.name;
    EXPECT_EQ(a.score.breakdown.branching_entropy, b.score.breakdown.branching_entropy) << a.name;
    EXPECT_EQ(a.score.breakdown.concurrency_chaos, b.score.breakdown.concurrency_chaos) << a.name;
    EXPECT_EQ(a.duration.mean, b.duration.mean) << a.name;
    EXPECT_EQ(a.duration.p50, b.duration.p50) << a.name;
    EXPECT_EQ(a.duration.p95, b.duration.p95) << a.name;
    EXPECT_EQ(a.duration.max, b.duration.max) << a.name;
    EXPECT_EQ(a.memory_peak, b.memory_peak) << a.name;
    EXPECT_EQ(a.exact, b.exact) << a.name;
    if constexpr (std::is_same_v<Group, TestResult>) {
        EXPECT_EQ(a.module, b.module);
        EXPECT_EQ(a.filename, b.filename) << a.name;
        EXPECT_EQ(a.lineno, b.lineno) << a.name;
        EXPECT_EQ(a.verdict, b.verdict) << a.name;
        EXPECT_EQ(a.steady_score.pss, b.steady_score.pss) << a.name;
        EXPECT_EQ(a.warmup_runs, b.warmup_runs) << a.name;
        EXPECT_EQ(a.leaking_runs, b.leaking_runs) << a.name;
        EXPECT_EQ(a.timing_resolution, b.timing_resolution) << a.name;
        ASSERT_EQ(a.observations.size(), b.observations.size()) << a.name;
        for (std::size_t i = 0; i < a.observations.size(); ++i)
            EXPECT_EQ(a.observations[i].text, b.observations[i].text) << a.name;
        ASSERT_EQ(a.series.size(), b.series.size()) << a.name;
        for (std::size_t i = 0; i < a.series.size(); ++i) {
            EXPECT_EQ(a.series[i].run, b.series[i].run) << a.name;
            EXPECT_EQ(a.series[i].duration, b.series[i].duration) << a.name;
            EXPECT_EQ(a.series[i].warmup, b.series[i].warmup) << a.name;
        }
        ASSERT_EQ(a.failure_samples.size(), b.failure_samples.size()) << a.name;
        for (std::size_t i = 0; i < a.failure_samples.size(); ++i) {
            EXPECT_EQ(a.failure_samples[i].type, b.failure_samples[i].type) << a.name;
            EXPECT_EQ(a.failure_samples[i].message, b.failure_samples[i].message) << a.name;
            EXPECT_EQ(a.failure_samples[i].file, b.failure_samples[i].file) << a.name;
            EXPECT_EQ(a.failure_samples[i].line, b.failure_samples[i].line) << a.name;
            EXPECT_EQ(a.failure_samples[i].run, b.failure_samples[i].run) << a.name;
        }
    }
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
        limits.keep_series = true;
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
        EXPECT_EQ(some.overall.score.pss, whole.overall.score.pss);
        EXPECT_EQ(some.overall.score.breakdown.concurrency_chaos, whole.overall.score.breakdown.concurrency_chaos);
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
