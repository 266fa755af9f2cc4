#include "payload.hpp"

#include <cctype>

#include <fmt/format.h>

namespace pss::ci::channels {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const char* severity_colour(AlertSeverity severity) {
    switch (severity) {
        case AlertSeverity::critical: return "D00000";
        case AlertSeverity::warning: return "FFCC00";
        case AlertSeverity::info: break;
    }
    return "36A64F";
}

std::string headline(const Alert& a) {
    std::string severity(to_string(a.severity));
    for (char& c : severity) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return fmt::format("{}: {}", severity, a.rule);
}

std::string origin_text(const AlertOrigin& o) {
    std::string out;
    auto add = [&](std::string_view label, const std::string& v) {
        if (!v.empty()) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", label, v);
    };
    add("branch", o.branch);
    add("commit", o.commit.substr(0, 12));
    add("host", o.host);
    if (!o.source.empty()) out += (out.empty() ? "" : ": ") + o.source;
    return out;
}


}  // namespace pss::ci::channels
