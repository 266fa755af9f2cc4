// Fuzz target: results JSON, as `pss report --from` reads it. What the reader
// accepts is rendered in every report format (JSON, JUnit, Markdown, HTML, PR
// comment), as the terminal table at several widths, and as GitHub
// annotations, so that escaping meets hostile names and numbers; the JSON
// written must read back (pss report --from on pss report --json's output).
// Contract: a bad input ends in ReportFormatError; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pss/reports/formats.hpp"
#include "pss/reports/json_reader.hpp"
#include "pss/reports/table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    pss::RunResults results;
    try {
        results = pss::reports::read_run_json(text);
    } catch (const pss::reports::ReportFormatError&) {
        return 0;
    }
    pss::reports::RenderOptions options;
    options.junit_flaky_as_failure = size % 2 == 0;
    std::string json;
    for (const auto& format : pss::reports::report_formats()) {
        std::string out = format.render(results, options);
        if (format.name == "json") json = std::move(out);
    }
    for (std::size_t width : {0, 20, 80}) {
        pss::reports::TableStyle style;
        style.width = width;
        style.color = width == 80;
        (void)pss::reports::render_table(results, style);
    }
    (void)pss::reports::render_summary_line(results);
    (void)pss::reports::render_github_annotations(results, "/work");
    for (const auto& t : results.tests) (void)pss::reports::attention_reason(t);

    // What pss wrote, pss reads.
    try {
        (void)pss::reports::read_run_json(json);
    } catch (const pss::reports::ReportFormatError&) {
        std::abort();
    }
    return 0;
}
