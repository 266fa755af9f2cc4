// The renderers as the tests call them: through the table of formats, as
// pss run and pss report do.
#pragma once

#include <string>

#include "pss/reports/formats.hpp"

namespace pss::test {

inline std::string render(std::string_view format, const RunResults& r, reports::RenderOptions o = {}) {
    return reports::find_report_format(format)->render(r, o);
}
inline std::string render_run_json(const RunResults& r) { return render("json", r); }
inline std::string render_run_junit(const RunResults& r, reports::RenderOptions o = {}) { return render("junit", r, o); }
inline std::string render_run_markdown(const RunResults& r) { return render("markdown", r); }
inline std::string render_run_html(const RunResults& r) { return render("html", r); }

}  // namespace pss::test
