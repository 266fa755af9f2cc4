// summary(): aligned text for people, e.g.
//
//   counters
//     cache.hits{type=lru}    1520
//   gauges
//     queue.depth             current 3  min 0  max 12  mean 4.25  (n=40)
//   timings
//     db.query{table=users}   n=1000  mean 1.21 ms  p50 1.10 ms  p95 2.30 ms  p99 4.05 ms  min 0.80 ms  max 9.12 ms
#include <algorithm>
#include <cmath>

#include "pss/metrics/snapshot.hpp"
#include "text.hpp"

namespace pss::metrics {

namespace {

// Names and tags as given, but one line per series whatever bytes they hold.
void append_printable(std::string& out, std::string_view text) {
    for (const char c : text) {
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out.push_back('?');
        else out.push_back(c);
    }
}

std::string label(const std::string& name, const TagSet& tags) {
    std::string out;
    append_printable(out, name);
    if (tags.empty()) return out;
    out.push_back('{');
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_printable(out, tags[i].first);
        out.push_back('=');
        append_printable(out, tags[i].second);
    }
    out.push_back('}');
    return out;
}

// A plain number: integers without decimals, others with up to 4 significant
// decimals worth of precision.
void append_number(std::string& out, double value) {
    if (!std::isfinite(value) || (value == std::floor(value) && std::fabs(value) < 1e15)) detail::append_double(out, value);
    else detail::append_fixed(out, value, std::fabs(value) >= 100 ? 1 : std::fabs(value) >= 1 ? 2 : 4);
}

// Seconds in the unit that gives 1 to 999, with 2 decimals.
void append_seconds(std::string& out, double seconds) {
    const double magnitude = std::fabs(seconds);
    const char* unit = "s";
    double scaled = seconds;
    if (magnitude == 0 || magnitude >= 1) {
    } else if (magnitude >= 1e-3) {
        unit = "ms", scaled = seconds * 1e3;
    } else if (magnitude >= 1e-6) {
        unit = "us", scaled = seconds * 1e6;
    } else {
        unit = "ns", scaled = seconds * 1e9;
    }
    detail::append_fixed(out, scaled, 2);
    out.push_back(' ');
    out += unit;
}

void pad(std::string& out, std::size_t width, std::size_t used) {
    out.append(width > used ? width - used + 2 : 2, ' ');
}

}  // namespace

std::string summary(const Snapshot& snapshot) noexcept {
    try {
        if (snapshot.empty()) return "no metrics recorded\n";
        std::vector<std::string> counters, gauges, timings;
        std::size_t width = 0;
        for (const auto& c : snapshot.counters) counters.push_back(label(c.name, c.tags));
        for (const auto& g : snapshot.gauges) gauges.push_back(label(g.name, g.tags));
        for (const auto& t : snapshot.timings) timings.push_back(label(t.name, t.tags));
        for (const auto* labels : {&counters, &gauges, &timings})
            for (const std::string& l : *labels) width = std::max(width, l.size());

        std::string out;
        if (!counters.empty()) out += "counters\n";
        for (std::size_t i = 0; i < counters.size(); ++i) {
            out += "  " + counters[i];
            pad(out, width, counters[i].size());
            detail::append_integer(out, snapshot.counters[i].value);
            out.push_back('\n');
        }
        if (!gauges.empty()) out += "gauges\n";
        for (std::size_t i = 0; i < gauges.size(); ++i) {
            const GaugeStats& s = snapshot.gauges[i].stats;
            out += "  " + gauges[i];
            pad(out, width, gauges[i].size());
            out += "current ";
            append_number(out, s.current);
            out += "  min ";
            append_number(out, s.min);
            out += "  max ";
            append_number(out, s.max);
            out += "  mean ";
            append_number(out, s.mean);
            out += "  (n=";
            detail::append_integer(out, s.count);
            out += ")\n";
        }
        if (!timings.empty()) out += "timings\n";
        for (std::size_t i = 0; i < timings.size(); ++i) {
            const TimingStats& s = snapshot.timings[i].stats;
            out += "  " + timings[i];
            pad(out, width, timings[i].size());
            out += "n=";
            detail::append_integer(out, s.count);
            const std::pair<const char*, double> columns[] = {{"  mean ", s.mean}, {"  p50 ", s.p50}, {"  p95 ", s.p95},
                                                              {"  p99 ", s.p99},   {"  min ", s.min}, {"  max ", s.max}};
            for (const auto& [heading, value] : columns) {
                out += heading;
                append_seconds(out, value);
            }
            out.push_back('\n');
        }
        return out;
    } catch (...) {
        return std::string();
    }
}

}  // namespace pss::metrics
