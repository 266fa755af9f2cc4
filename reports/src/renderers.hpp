// The renderer of each report format; formats.cpp lists them.
#pragma once

#include <string>

#include "pss/reports/formats.hpp"

namespace pss::reports {

std::string render_json(const RunResults& results, const RenderOptions& options);
std::string render_junit(const RunResults& results, const RenderOptions& options);
std::string render_markdown(const RunResults& results, const RenderOptions& options);
std::string render_html(const RunResults& results, const RenderOptions& options);
std::string render_pr_comment(const RunResults& results, const RenderOptions& options);

}  // namespace pss::reports
