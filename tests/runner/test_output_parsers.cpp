// The framework output parsers the native mode relies on.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "output_parsers.hpp"
#include "test_binary.hpp"

using namespace pss::runner;

TEST(GtestListParsing, SuitesTestsParametersAndDisabled) {
    const auto tests = parse_gtest_list(
        "Running main() from gtest_main.cc\n"
        "Math.\n  Adds\n  DISABLED_Slow\n"
        "Inst/Param.\n  Case/0  # GetParam() = 1\n  Case/1  # GetParam() = 2\n"
        "Typed/0.  # TypeParam = int\n  Works\n",
        false);
    const std::vector<std::string> expected{"Math.Adds", "Inst/Param.Case/0", "Inst/Param.Case/1", "Typed/0.Works"};
    EXPECT_EQ(tests, expected);
    EXPECT_EQ(parse_gtest_list("Math.\n  DISABLED_Slow\n", true).size(), 1u);
}

TEST(Catch2Spec, EscapesSpecialCharacters) {
    EXPECT_EQ(catch2_exact_spec("a, b [c] \"d\" *e\\"), "a\\, b \\[c\\] \\\"d\\\" \\*e\\\\");
    EXPECT_EQ(catch2_exact_spec("~hidden"), "\\~hidden");
}

TEST(GtestOutput, PassFailAndFirstFailureLocation) {
    GtestOutputParser p;
    EXPECT_FALSE(p.feed("[ RUN      ] Math.Adds"));
    EXPECT_EQ(p.current(), "Math.Adds");
    p.feed("/src/math_test.cpp:12: Failure");
    p.feed("Expected equality of these values:");
    p.feed("  1 + 1");
    p.feed("/src/math_test.cpp:13: Failure");
    p.feed("second failure");
    auto end = p.feed("[  FAILED  ] Math.Adds (3 ms)");
    ASSERT_TRUE(end);
    EXPECT_TRUE(end->failed);
    EXPECT_EQ(end->failure_file, "/src/math_test.cpp");
    EXPECT_EQ(end->failure_line, 12);
    EXPECT_EQ(end->message, "Expected equality of these values:\n1 + 1");
    EXPECT_DOUBLE_EQ(end->seconds, 0.003);
    EXPECT_EQ(end->kind, "assertion");
    EXPECT_TRUE(p.current().empty());
    // The summary's FAILED lines, after the test ended, are not test ends.
    EXPECT_FALSE(p.feed("[  FAILED  ] Math.Adds"));
}

TEST(GtestOutput, ExceptionsSkipsAndIterations) {
    GtestOutputParser p;
    p.feed("Repeating all tests (iteration 3) . . .");
    EXPECT_EQ(p.iteration(), 2);
    p.feed("[ RUN      ] A.Throws");
    p.feed("unknown file: Failure");
    p.feed("C++ exception with description \"boom\" thrown in the test body.");
    auto end = p.feed("[  FAILED  ] A.Throws (0 ms)");
    ASSERT_TRUE(end);
    EXPECT_EQ(end->kind, "exception");
    p.feed("[ RUN      ] A.Skips");
    end = p.feed("[  SKIPPED ] A.Skips (0 ms)");
    ASSERT_TRUE(end);
    EXPECT_TRUE(end->skipped);
    EXPECT_FALSE(end->failed);
}

// Found by fuzz_gtest_output once it scored what it parsed: "(nan ms)" gave a
// NaN duration, "(-5 ms)" a negative one, and both reached the scores. A
// time that is no duration is measured by the runner's clock instead.
TEST(GtestOutput, DurationsThatAreNoDurationsAreMeasuredByTheRunner) {
    GtestOutputParser p;
    for (const char* ms : {"nan", "-5", "inf", "1e999", "12 apples", ""}) {
        p.feed("[ RUN      ] A.B");
        const auto end = p.feed(std::string("[       OK ] A.B (") + ms + " ms)");
        ASSERT_TRUE(end) << ms;
        EXPECT_TRUE(std::isfinite(end->seconds)) << ms;
        EXPECT_GE(end->seconds, 0.0) << ms;
        EXPECT_LT(end->seconds, 60.0) << ms;  // the runner's clock: this test's own time
    }
    p.feed("[ RUN      ] A.B");
    EXPECT_DOUBLE_EQ(p.feed("[       OK ] A.B (1500 ms)")->seconds, 1.5);
}

TEST(Catch2XmlOutput, TestCaseResultAndExpandedMessage) {
    Catch2XmlOutputParser p;
    p.feed(R"(  <TestCase name="a &amp; b &lt;x&gt;" tags="[t]" filename="/src/t.cpp" line="7">)");
    EXPECT_EQ(p.current(), "a & b <x>");
    p.feed(R"(    <Expression success="false" type="CHECK" filename="/src/t.cpp" line="9">)");
    p.feed("      <Original>");
    p.feed("        x == 1");
    p.feed("      </Original>");
    p.feed("      <Expanded>");
    p.feed("        2 == 1");
    p.feed("      </Expanded>");
    p.feed("    </Expression>");
    auto end = p.feed(R"(    <OverallResult success="false" durationInSeconds="0.00125"/>)");
    ASSERT_TRUE(end);
    EXPECT_EQ(end->name, "a & b <x>");
    EXPECT_TRUE(end->failed);
    EXPECT_EQ(end->message, "2 == 1");
    EXPECT_EQ(end->failure_line, 9);
    EXPECT_EQ(end->file, "/src/t.cpp");
    EXPECT_EQ(end->line, 7);
    EXPECT_DOUBLE_EQ(end->seconds, 0.00125);
}

// Found by fuzz_catch2_xml once it scored what it parsed: durationInSeconds
// "nan" or "-5" became the test's time.
TEST(Catch2XmlOutput, DurationsThatAreNoDurationsAreMeasuredByTheRunner) {
    Catch2XmlOutputParser p;
    for (const char* seconds : {"nan", "-5", "inf", "1e999", "0x10", "1,5"}) {
        p.feed(R"(<TestCase name="t" filename="t.cpp" line="1">)");
        const auto end = p.feed(std::string(R"(<OverallResult success="true" durationInSeconds=")") + seconds + "\"/>");
        ASSERT_TRUE(end) << seconds;
        EXPECT_TRUE(std::isfinite(end->seconds)) << seconds;
        EXPECT_GE(end->seconds, 0.0) << seconds;
        EXPECT_LT(end->seconds, 60.0) << seconds;
    }
    p.feed(R"(<TestCase name="t" filename="t.cpp" line="1">)");
    EXPECT_DOUBLE_EQ(p.feed(R"(<OverallResult success="true" durationInSeconds="1.5e-05"/>)")->seconds, 1.5e-05);
}

// Seen while writing fuzz_catch2_xml: line numbers went through atoll, whose
// result for a number out of range is undefined (glibc gives 2^63 - 1).
TEST(Catch2XmlOutput, LineNumbersThatAreNoLineNumbersAreUnknown) {
    Catch2XmlOutputParser p;
    p.feed(R"(<TestCase name="t" filename="t.cpp" line="99999999999999999999">)");
    p.feed(R"(<Expression success="false" type="CHECK" filename="t.cpp" line="-3">)");
    auto end = p.feed(R"(<OverallResult success="false" durationInSeconds="0.1"/>)");
    ASSERT_TRUE(end);
    EXPECT_EQ(end->line, 0);
    EXPECT_EQ(end->failure_line, 0);
    p.feed(R"(<TestCase name="t" filename="t.cpp" line="12">)");
    end = p.feed(R"(<OverallResult success="true" durationInSeconds="0.1"/>)");
    EXPECT_EQ(end->line, 12);
}

TEST(Catch2XmlOutput, FatalSignalIsACrash) {
    Catch2XmlOutputParser p;
    p.feed(R"(<TestCase name="boom" filename="t.cpp" line="1">)");
    p.feed(R"(<FatalErrorCondition filename="t.cpp" line="3">)");
    p.feed("SIGSEGV - Segmentation violation signal");
    p.feed("</FatalErrorCondition>");
    auto end = p.feed(R"(<OverallResult success="false" durationInSeconds="0.001"/>)");
    ASSERT_TRUE(end);
    EXPECT_EQ(end->kind, "crash:SIGSEGV");
}

TEST(GtestOutput, ASkipInTheGlobalEnvironmentIsSeenAndNoOtherSkipIs) {
    GtestOutputParser skipped_env;
    for (const char* line : {"[==========] Running 1 test from 1 test suite.",
                             "[----------] Global test environment set-up.", "/src/env.cc:39: Skipped",
                             "Skipping the entire environment", "[----------] Global test environment tear-down",
                             "[  PASSED  ] 1 test."})
        EXPECT_FALSE(skipped_env.feed(line));
    EXPECT_TRUE(skipped_env.environment_skipped());

    GtestOutputParser skipped_test;  // GTEST_SKIP() in a test is that test's
    for (const char* line : {"[----------] Global test environment set-up.", "[----------] 1 test from A",
                             "[ RUN      ] A.B", "/src/a.cc:5: Skipped"})
        skipped_test.feed(line);
    EXPECT_TRUE(skipped_test.feed("[  SKIPPED ] A.B (0 ms)")->skipped);
    EXPECT_FALSE(skipped_test.environment_skipped());
}

// Catch2 writes \r and \n in a name raw, so the start tag spans lines; an
// unclosed quote must not swallow the rest of the output either.
TEST(Catch2XmlOutput, ANameWithALineBreakSpansLinesAndKeepsIt) {
    Catch2XmlOutputParser p;
    EXPECT_FALSE(p.feed("  <TestCase name=\"two\r"));
    EXPECT_FALSE(p.feed("lines pass\" filename=\"t.cpp\" line=\"17\">"));
    EXPECT_EQ(p.current(), "two\r\nlines pass");
    auto end = p.feed(R"(    <OverallResult success="true" durationInSeconds="3e-06"/>)");
    ASSERT_TRUE(end);
    EXPECT_EQ(end->name, "two\r\nlines pass");
    EXPECT_EQ(end->line, 17);
    EXPECT_FALSE(end->failed);

    p.feed(R"(<TestCase name="after" filename="t.cpp" line="20">)");
    end = p.feed(R"(<OverallResult success="false" durationInSeconds="0.1"/>)");
    ASSERT_TRUE(end);
    EXPECT_EQ(end->name, "after");
    EXPECT_TRUE(end->failed);
}

TEST(XmlUnescape, EntitiesAndNumericReferences) {
    EXPECT_EQ(xml_unescape("&lt;&gt;&amp;&quot;&apos;&#x41;&#66;&#xe9;"), "<>&\"'AB\xC3\xA9");
    EXPECT_EQ(xml_unescape("no entities & stray"), "no entities & stray");
}

// Found by fuzz/fuzz_catch2_xml.cpp (valid UTF-8 in, invalid out): a code
// point past U+FFFF lost its top bits (&#x1F600; came out as U+F600), and
// references to no character gave NUL or raw surrogates.
TEST(XmlUnescape, CharacterReferencesGiveValidUtf8) {
    EXPECT_EQ(xml_unescape("&#x1F600;&#128512;"), "\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
    EXPECT_EQ(xml_unescape("&#x10FFFF;"), "\xF4\x8F\xBF\xBF");
    EXPECT_EQ(xml_unescape("&#xFFFF;"), "\xEF\xBF\xBF");
    const std::string replacement = "\xEF\xBF\xBD";
    EXPECT_EQ(xml_unescape("&#0;&#xD800;&#x110000;&#99999999999;"), replacement + replacement + replacement + replacement);
    // No number at all: not a reference, kept as written.
    EXPECT_EQ(xml_unescape("&#;&#x;&#-1;&#12a;"), "&#;&#x;&#-1;&#12a;");
}
