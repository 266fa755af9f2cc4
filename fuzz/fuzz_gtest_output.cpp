// Fuzz target: GoogleTest's output as the runner reads it. The same bytes as
// `--gtest_list_tests` output (the listing, with and without disabled tests)
// and, line by line, as the console output of a run in native mode; the test
// ends are then scored as pss run scores them.
// Contract: any text gives names and test ends, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "lines.hpp"
#include "native_records.hpp"
#include "output_parsers.hpp"
#include "test_lists.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)pss::runner::parse_gtest_list(text, false);
    const auto all = pss::runner::parse_gtest_list(text, true);
    for (const auto& name : all)
        if (name.empty()) std::abort();  // "Suite.Test" at the least: never an empty name to filter on

    pss::runner::GtestOutputParser parser;
    std::vector<pss::TraceRecord> records;
    pss::fuzz::for_each_line(text, [&](std::string_view line) {
        if (auto end = parser.feed(line)) {
            if (end->name.empty()) std::abort();  // a test ends only after it started, by name
            records.push_back(pss::fuzz::native_record(*end, 1 + parser.iteration(), 0.001));
        }
        (void)parser.current_output();
    });
    pss::fuzz::score(records);
    return 0;
}
