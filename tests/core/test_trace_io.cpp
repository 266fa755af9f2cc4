// The trace reader's formats, its handling of malformed input, and the writer.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pss/ingest/trace_reader.hpp"
#include "pss/record/trace_writer.hpp"

using namespace pss;

namespace {

std::vector<TraceRecord> read_all(std::string_view text, ReadStats* stats = nullptr) {
    std::vector<TraceRecord> out;
    ReadStats s = read_trace_text(text, [&](const TraceRecord& r) { out.push_back(r); });
    if (stats) *stats = s;
    return out;
}

std::filesystem::path temp_path(const std::string& name) {
    return std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
}

}  // namespace

TEST(TraceReader, ReadsNdjsonWithAllFields) {
    ReadStats stats;
    auto recs = read_all(
        R"({"name":"Math.Adds","module":"unit.Math","run":3,"timestamp":1700000000.5,"duration":0.25,)"
        R"("cpu_time":0.2,"wait_time":0.05,"memory":1048576,"memory_diff":-16,"error":true,)"
        R"("exception_type":"assertion","exception_message":"x == 2","branch_tag":"fast;cached",)"
        R"("filename":"math_test.cpp","lineno":12,"kind":"test","unknown_field":{"nested":[1,2]}})"
        "\n",
        &stats);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(stats.format, TraceFormat::ndjson);
    EXPECT_EQ(stats.malformed, 0u);
    const auto& r = recs[0];
    EXPECT_EQ(r.name, "Math.Adds");
    EXPECT_EQ(r.module, "unit.Math");
    EXPECT_EQ(r.run, 3);
    EXPECT_DOUBLE_EQ(r.timestamp, 1700000000.5);
    EXPECT_DOUBLE_EQ(r.duration, 0.25);
    EXPECT_DOUBLE_EQ(r.cpu_time, 0.2);
    EXPECT_DOUBLE_EQ(r.wait_time, 0.05);
    EXPECT_DOUBLE_EQ(r.memory, 1048576);
    EXPECT_DOUBLE_EQ(r.memory_diff, -16);
    EXPECT_TRUE(r.error);
    EXPECT_EQ(r.exception_type, "assertion");
    EXPECT_EQ(r.exception_message, "x == 2");
    ASSERT_TRUE(r.branch_tag.has_value());
    EXPECT_EQ(*r.branch_tag, "fast;cached");
    EXPECT_EQ(r.filename, "math_test.cpp");
    EXPECT_EQ(r.lineno, 12);
    EXPECT_EQ(r.kind, "test");
}

TEST(TraceReader, ReadsJsonArray) {
    ReadStats stats;
    auto recs = read_all("[\n {\"name\":\"a\",\"duration\":1},\n {\"name\":\"b\",\"duration\":2}\n]\n", &stats);
    EXPECT_EQ(stats.format, TraceFormat::json_array);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[1].name, "b");
    EXPECT_EQ(stats.malformed, 0u);
}

TEST(TraceReader, ReadsPypssTracesObjectPrettyPrinted) {
    ReadStats stats;
    auto recs = read_all(R"({
  "traces": [
    {"name": "f", "duration": 0.1, "error": false, "branch_tag": null},
    {"name": "f", "duration": 0.2, "error": "ValueError"}
  ]
})",
                         &stats);
    EXPECT_EQ(stats.format, TraceFormat::pypss_object);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_FALSE(recs[0].branch_tag.has_value());
    EXPECT_TRUE(recs[1].error);  // truthiness, as pypss reads "error"
}

TEST(TraceReader, ReadsPypssTracesObjectOnOneLineWithOtherKeysFirst) {
    ReadStats stats;
    auto recs = read_all(R"({"meta":{"traces":1},"traces":[{"name":"f"},{"name":"g"}]})", &stats);
    EXPECT_EQ(stats.format, TraceFormat::pypss_object);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[1].name, "g");
}

TEST(TraceReader, ObjectWithoutTracesIsNotATraceFile) {
    EXPECT_THROW(read_all("{\n  \"config\": 1\n}\n"), TraceFileError);
}

TEST(TraceReader, SystemRecordsKeepTheirLag) {
    auto recs = read_all(R"({"name":"loop","system_metric":true,"metadata":{"lag":0.05,"active_tasks":3}})");
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_TRUE(recs[0].system_metric);
    ASSERT_TRUE(recs[0].lag.has_value());
    EXPECT_DOUBLE_EQ(*recs[0].lag, 0.05);
}

TEST(TraceReader, MalformedLinesAreSkippedCountedAndDescribed) {
    ReadStats stats;
    auto recs = read_all(
        "{\"name\":\"a\",\"duration\":1}\n"
        "\n"                                   // blank: not a record, not malformed
        "{\"name\":\"b\",\"duration\":\"slow\"}\n"  // line 3: wrong type
        "garbage\n"                            // line 4
        "[1,2]\n"                              // line 5: not an object
        "{\"name\":\"c\",\"duration\":3}\r\n"  // CRLF is fine
        "{\"name\":\"d\",\"dur",               // truncated last line
        &stats);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].name, "a");
    EXPECT_EQ(recs[1].name, "c");
    EXPECT_EQ(stats.records, 2u);
    EXPECT_EQ(stats.malformed, 4u);
    EXPECT_EQ(stats.first_malformed_line, 3u);
    EXPECT_EQ(stats.first_malformed_reason, "field 'duration' must be a number");
    EXPECT_EQ(stats.warning(), "4 malformed records skipped (first at line 3: field 'duration' must be a number)");
}

TEST(TraceReader, AnIntegerFieldBeyondInt64IsMalformedNotUndefined) {
    ReadStats stats;
    auto recs = read_all("{\"name\":\"a\",\"run\":1e19}\n{\"name\":\"b\",\"lineno\":-9.3e18}\n"
                         "{\"name\":\"c\",\"run\":9000000000000000000}\n",
                         &stats);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].run, 9000000000000000000);
    EXPECT_EQ(stats.malformed, 2u);
    EXPECT_EQ(stats.first_malformed_reason, "field 'run' is out of range for an integer");
}

TEST(TraceReader, TruncatedArrayKeepsTheGoodRecords) {
    ReadStats stats;
    auto recs = read_all("[{\"name\":\"a\"},\n{\"name\":\"b\"},\n{\"name\":\"c\",\"dura", &stats);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(stats.malformed, 1u);
    EXPECT_EQ(stats.first_malformed_line, 3u);
    EXPECT_NE(stats.first_malformed_reason.find("truncated"), std::string::npos);
}

TEST(TraceReader, BadArrayElementCostsOneRecord) {
    ReadStats stats;
    auto recs = read_all("[{\"name\":\"a\"}, 42, {\"name\":\"b\",\"run\":\"x\"}, {\"name\":\"c\"}]", &stats);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[1].name, "c");
    EXPECT_EQ(stats.malformed, 2u);
    EXPECT_EQ(stats.first_malformed_reason, "not a JSON object");
}

TEST(TraceReader, TrailingContentOnALineIsMalformed) {
    ReadStats stats;
    auto recs = read_all("{\"name\":\"a\"} {\"name\":\"b\"}\n", &stats);
    EXPECT_TRUE(recs.empty());
    EXPECT_EQ(stats.malformed, 1u);
}

TEST(TraceReader, MissingFileIsAClearError) {
    try {
        read_trace_file("/nonexistent/dir/traces.ndjson", [](const TraceRecord&) {});
        FAIL() << "expected TraceFileError";
    } catch (const TraceFileError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/traces.ndjson"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos);
    }
}

TEST(TraceReader, EmptyFileHasNoRecords) {
    ReadStats stats;
    EXPECT_TRUE(read_all("", &stats).empty());
    EXPECT_EQ(stats.malformed, 0u);
}

TEST(TraceWriter, RoundTripsEveryField) {
    TraceRecord r;
    r.name = "Suite.Test/0";
    r.module = "bin.Suite";
    r.run = 7;
    r.timestamp = 1763800000.123456;
    r.duration = 0.000123456789;
    r.cpu_time = 0.0001;
    r.wait_time = 0.000023456789;
    r.memory = 1048576;
    r.memory_diff = -4096;
    r.error = true;
    r.exception_type = "exception:std::runtime_error";
    r.exception_message = "bad \"quote\"\nnew line\t\x01 and \xff invalid";
    r.branch_tag = "a;b";
    r.filename = "t.cpp";
    r.lineno = 99;
    r.kind = "test";
    r.failure_file = "t.cpp";
    r.failure_line = 101;
    r.voluntary_context_switches = 3;
    r.involuntary_context_switches = 1;

    const auto path = temp_path("pss-writer");
    std::filesystem::remove(path);
    {
        TraceWriter w(path);
        w.write(r);
        w.write(r);
    }
    std::vector<TraceRecord> back;
    const ReadStats stats = read_trace_file(path, [&](const TraceRecord& x) { back.push_back(x); });
    std::filesystem::remove(path);
    ASSERT_EQ(stats.malformed, 0u) << stats.warning();
    ASSERT_EQ(back.size(), 2u);
    const auto& b = back[0];
    EXPECT_EQ(b.name, r.name);
    EXPECT_EQ(b.run, 7);
    EXPECT_DOUBLE_EQ(b.timestamp, r.timestamp);
    EXPECT_DOUBLE_EQ(b.duration, r.duration);  // shortest round-trip formatting loses nothing
    EXPECT_DOUBLE_EQ(b.wait_time, r.wait_time);
    EXPECT_DOUBLE_EQ(b.memory, 1048576);
    EXPECT_DOUBLE_EQ(b.memory_diff, -4096);
    EXPECT_TRUE(b.error);
    EXPECT_EQ(b.exception_type, r.exception_type);
    EXPECT_EQ(b.exception_message, "bad \"quote\"\nnew line\t\x01 and \xEF\xBF\xBD invalid");  // U+FFFD
    EXPECT_EQ(*b.branch_tag, "a;b");
    EXPECT_EQ(b.lineno, 99);
    EXPECT_EQ(b.failure_line, 101);
    EXPECT_EQ(b.voluntary_context_switches, 3);
}

TEST(TraceWriter, OneLinePerRecordAndNullTag) {
    TraceRecord r;
    r.name = "x";
    const std::string line = to_json_line(r);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_NE(line.find("\"branch_tag\":null"), std::string::npos);
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
}

TEST(TraceWriter, NonFiniteNumbersStillGiveValidJson) {
    TraceRecord r;
    r.name = "T";
    r.duration = std::numeric_limits<double>::quiet_NaN();
    r.memory = std::numeric_limits<double>::infinity();
    ReadStats stats;
    read_all(to_json_line(r), &stats);
    EXPECT_EQ(stats.records, 1u);
}

TEST(TraceWriter, UnwritablePathIsAClearError) {
    try {
        TraceWriter w("/nonexistent/dir/t.ndjson");
        FAIL();
    } catch (const std::system_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/t.ndjson"), std::string::npos);
    }
}
