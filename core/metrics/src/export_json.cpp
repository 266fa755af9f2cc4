// to_json(): one line of compact JSON (format in snapshot.hpp).
#include <cmath>

#include "pss/metrics/snapshot.hpp"
#include "text.hpp"

namespace pss::metrics {

namespace {

using detail::append_json_string;

// JSON has no NaN or infinity.
void number(std::string& out, double value) {
    if (std::isfinite(value)) detail::append_double(out, value);
    else out += "null";
}

void field(std::string& out, const char* name, double value) {
    out += ",\"";
    out += name;
    out += "\":";
    number(out, value);
}

void field(std::string& out, const char* name, std::uint64_t value) {
    out += ",\"";
    out += name;
    out += "\":";
    detail::append_integer(out, value);
}

void open_series(std::string& out, bool first, const std::string& name, const TagSet& tags) {
    if (!first) out.push_back(',');
    out += "{\"name\":";
    append_json_string(out, name);
    out += ",\"tags\":{";
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_json_string(out, tags[i].first);
        out.push_back(':');
        append_json_string(out, tags[i].second);
    }
    out.push_back('}');
}

}  // namespace

std::string to_json(const Snapshot& snapshot) noexcept {
    try {
        std::string out = "{\"counters\":[";
        for (std::size_t i = 0; i < snapshot.counters.size(); ++i) {
            const CounterSeries& c = snapshot.counters[i];
            open_series(out, i == 0, c.name, c.tags);
            out += ",\"value\":";
            detail::append_integer(out, c.value);
            out.push_back('}');
        }
        out += "],\"gauges\":[";
        for (std::size_t i = 0; i < snapshot.gauges.size(); ++i) {
            const GaugeSeries& g = snapshot.gauges[i];
            open_series(out, i == 0, g.name, g.tags);
            field(out, "current", g.stats.current);
            field(out, "min", g.stats.min);
            field(out, "max", g.stats.max);
            field(out, "mean", g.stats.mean);
            field(out, "count", g.stats.count);
            out.push_back('}');
        }
        out += "],\"timings\":[";
        for (std::size_t i = 0; i < snapshot.timings.size(); ++i) {
            const TimingSeries& t = snapshot.timings[i];
            open_series(out, i == 0, t.name, t.tags);
            field(out, "count", t.stats.count);
            field(out, "sum", t.stats.sum);
            field(out, "min", t.stats.min);
            field(out, "max", t.stats.max);
            field(out, "mean", t.stats.mean);
            field(out, "p50", t.stats.p50);
            field(out, "p95", t.stats.p95);
            field(out, "p99", t.stats.p99);
            out.push_back('}');
        }
        out += "]}";
        return out;
    } catch (...) {
        return std::string();
    }
}

}  // namespace pss::metrics
