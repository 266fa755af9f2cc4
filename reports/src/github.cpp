// GitHub Actions workflow commands: one annotation per test that needs
// attention. Tests that fail the gate are ::error, at the failing
// assertion's file and line when pss knows it (else where the test is
// defined); the rest (quarantined, allowed flaky, leaks) are ::warning.
#include <fmt/format.h>

#include "pss/reports/formats.hpp"
#include "pss/text/escape.hpp"
#include "report_util.hpp"

namespace pss::reports {

using text::github_command_data;
using text::github_command_property;

std::string render_github_annotations(const RunResults& report, const std::string& workspace) {
    const std::string& root = workspace.empty() ? report.meta.repository_root : workspace;
    std::string out;
    for (const auto& t : report.tests) {
        const std::string reason = attention_reason(t);
        if (reason.empty()) continue;
        const SourceLocation at = where_to_look(t, root);
        std::string props = " ";
        if (!at.file.empty()) {
            props += "file=" + github_command_property(at.file);
            if (at.line > 0) props += fmt::format(",line={}", at.line);
            props += ",";
        }
        props += "title=" + github_command_property(fmt::format("pss: {} is {} (PSS {})", t.name, to_string(t.verdict),
                                                                t.score.pss));
        out += fmt::format("::{}{}::{}\n", t.fails_gate ? "error" : "warning", props, github_command_data(reason));
    }
    return out;
}

}  // namespace pss::reports
