// Fuzz target: Catch2's output as the runner reads it. The same bytes as
// `--list-test-names-only` output (each name then made into an exact test
// spec and an input-file line) and, line by line, as the XML reporter's
// output of a run in native mode, the test ends then scored as pss run scores
// them; the XML helpers on the whole text too.
// Contract: any text gives names and test ends, never a crash; valid UTF-8
// in gives valid UTF-8 out (names reach every report).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "lines.hpp"
#include "native_records.hpp"
#include "output_parsers.hpp"
#include "pss/text/escape.hpp"
#include "test_lists.hpp"

namespace {

bool is_utf8(std::string_view s) { return pss::text::valid_utf8(s) == s; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const auto& name : pss::runner::parse_catch2_list(text)) {
        (void)pss::runner::catch2_exact_spec(name);
        (void)pss::runner::catch2_input_file_line(name);
    }
    const bool utf8 = is_utf8(text);
    if (utf8 && !is_utf8(pss::runner::xml_unescape(text))) std::abort();
    if (const auto name = pss::runner::xml_attribute(text, "name"); name && utf8 && !is_utf8(*name)) std::abort();

    pss::runner::Catch2XmlOutputParser parser;
    std::vector<pss::TraceRecord> records;
    pss::fuzz::for_each_line(text, [&](std::string_view line) {
        if (auto end = parser.feed(line)) records.push_back(pss::fuzz::native_record(*end, 1, 0.0));
        (void)parser.current_output();
    });
    pss::fuzz::score(records);
    return 0;
}
