// Numbers in the fast record parser: what it converts itself (short decimals
// by Clinger's shortcut, 16 digits and more by fast_float) must be the double
// std::from_chars gives, bit for bit, and what it leaves to simdjson
// (subnormals, overflow, underflow) must come out as simdjson reads it.
#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "record_parser.hpp"
#include "simple_record.hpp"

using namespace pss;

namespace {

std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }

std::string padded(const std::string& text) { return text + std::string(ingest::parse_padding, '\0'); }

// cpu_time: a number field that may be negative (a negative duration is a
// malformed record, which these tests are not about).
std::string record_with(const std::string& number) { return "{\"name\":\"T\",\"cpu_time\":" + number + "}"; }

// The fast parser alone: false when it leaves the record to simdjson.
bool fast_duration(const std::string& number, double& out) {
    const std::string text = record_with(number), buffer = padded(text);
    TraceRecord r;
    if (!ingest::parse_simple_record(buffer.data(), text.size(), ingest::trace_record_fields(), r)) return false;
    out = r.cpu_time;
    return true;
}

// A record parser: the fast one then simdjson (`fast_path`), or simdjson alone.
bool parsed_duration(bool fast_path, const std::string& number, double& out) {
    ingest::RecordParser parser(fast_path);
    const std::string text = record_with(number);
    std::string buffer = padded(text), why;
    TraceRecord r;
    if (!parser.parse(buffer.data(), text.size(), buffer.size(), r, why)) return false;
    out = r.cpu_time;
    return true;
}

// std::from_chars's double, when it gives a normal number or zero.
bool from_chars_normal(const std::string& number, double& out) {
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), out);
    return ec == std::errc{} && end == number.data() + number.size() && (out == 0.0 || std::isnormal(out));
}

void expect_fast_and_exact(const std::string& number) {
    double expected = 0, fast = 0, reference = 0;
    ASSERT_TRUE(from_chars_normal(number, expected)) << number;
    ASSERT_TRUE(fast_duration(number, fast)) << number << " should not need simdjson";
    EXPECT_EQ(bits(fast), bits(expected)) << number << ": " << fast << " vs " << expected;
    ASSERT_TRUE(parsed_duration(false, number, reference)) << number;
    EXPECT_EQ(bits(reference), bits(expected)) << number << " (simdjson)";
}

// Random decimal digits with the point anywhere, and now and then an exponent.
std::string random_decimal(std::mt19937_64& rng, int digits) {
    std::uniform_int_distribution<int> digit(0, 9), coin(0, 3);
    std::string d;
    for (int i = 0; i < digits; ++i) d += static_cast<char>('0' + digit(rng));
    if (d[0] == '0') d[0] = '1';  // JSON has no leading zeros
    const auto point = std::uniform_int_distribution<std::size_t>(0, d.size())(rng);  // digits before the point
    std::string s = coin(rng) == 0 ? "-" : "";
    if (point == 0) s += "0." + d;
    else if (point == d.size()) s += d;
    else s += d.substr(0, point) + "." + d.substr(point);
    if (coin(rng) == 0) s += (coin(rng) ? "e" : "E-") + std::to_string(std::uniform_int_distribution<int>(0, 280)(rng));
    return s;
}

}  // namespace

TEST(FastRecordNumbers, SixteenToNineteenDigitsMatchFromCharsBitForBit) {
    std::mt19937_64 rng(99);
    std::uniform_real_distribution<double> u(0.1, 1);
    char buf[64];
    for (int i = 0; i < 100000; ++i) {
        // A double printed with 16..19 significant digits, at any magnitude.
        const double magnitude = std::pow(10.0, std::uniform_int_distribution<int>(-300, 300)(rng));
        std::snprintf(buf, sizeof buf, "%.*g", 16 + i % 4, (i % 2 ? -1 : 1) * u(rng) * magnitude);
        expect_fast_and_exact(buf);
        // Digits of no double at all, 16..19 of them.
        expect_fast_and_exact(random_decimal(rng, 16 + i % 4));
        if (HasFatalFailure()) return;
    }
}

TEST(FastRecordNumbers, UpToFifteenDigitsTakeTheShortcutAndMatchFromChars) {
    // One exact integer over one exact power of ten; the digits' value is
    // worked out from the token, eight at a time, around the point.
    std::mt19937_64 rng(15);
    for (int i = 0; i < 100000; ++i) {
        expect_fast_and_exact(random_decimal(rng, 1 + i % 15));
        if (HasFatalFailure()) return;
    }
    for (const std::string number : {"0", "7", "0.5", "12345678", "123456789", "1234567.8", "0.000000000000001",
                                     "999999999999999", "99999999.9999999", "-0.00000001", "100000000000000"})
        expect_fast_and_exact(number);
}

TEST(FastRecordNumbers, WhatTheListenersWriteAndHardRoundings) {
    for (const std::string number : {
             "0.020363182714789783", "1763800000.0203831", "7.285533609766857e-05", "4.938227913581684e-05",
             "6.389004535957591e-09", "0.00019277821479543936",
             "9007199254740993", "9007199254740995", "-9007199254740993",  // halfway: ties to even
             "1.7976931348623157e308", "1.7976931348623158e308",            // the largest double
             "2.2250738585072014e-308", "2.2250738585072016e-308",          // the smallest normal
             "0.1", "0.30000000000000004", "123456789012345678", "1234567890123456789",
             "9999999999999999999", "1e22", "1e23", "8.988465674311579e307"})
        expect_fast_and_exact(number);
    // More digits than the mantissa keeps, and exponents in both cases.
    for (const std::string number : {"0.95000000000000000000", "1.000000000000000000001", "123456789012345678901234567890",
                                     "1E+2", "1e-2", "2.5E10", "-3.25e-7", "0e0", "0.0e-10"})
        expect_fast_and_exact(number);
}

TEST(FastRecordNumbers, NegativeZeroKeepsItsSign) {
    for (const std::string number : {"-0", "-0.0", "-0e5", "-0.0E-3", "-0.00000000000000000000000"}) {
        double fast = 1, reference = 1;
        ASSERT_TRUE(fast_duration(number, fast)) << number;
        EXPECT_TRUE(std::signbit(fast)) << number;
        EXPECT_EQ(fast, 0.0) << number;
        ASSERT_TRUE(parsed_duration(false, number, reference)) << number;
        EXPECT_EQ(bits(fast), bits(reference)) << number;
    }
}

TEST(FastRecordNumbers, SubnormalsOverflowAndUnderflowAreLeftToSimdjson) {
    for (const std::string number :
         {"4.9e-324", "4.9406564584124654e-324", "2.225073858507201e-308", "2.2250738585072011e-308", "1e-310",
          "2.4703282292062327e-324", "1e-400", "-1e-400", "1e400", "-1e400", "1.7976931348623159e308"}) {
        double fast = 0;
        EXPECT_FALSE(fast_duration(number, fast)) << number << " read as " << fast;
        // Through the whole parser the outcome is simdjson's.
        double with_fast = 0, reference = 0;
        const bool a = parsed_duration(true, number, with_fast), b = parsed_duration(false, number, reference);
        EXPECT_EQ(a, b) << number;
        if (a && b) {
            EXPECT_EQ(bits(with_fast), bits(reference)) << number;
        }
    }
    // Zeros with huge exponents are zeros, not underflows.
    for (const std::string number : {"0e-400", "0.000e400", "-0e-999"}) {
        double fast = 1;
        ASSERT_TRUE(fast_duration(number, fast)) << number;
        EXPECT_EQ(fast, 0.0) << number;
    }
}
