// to_prometheus(): the text exposition format 0.0.4.
//
// Each metric name (per kind) is one family. Sanitising names and tag keys
// can make different ones equal ("a.b" and "a_b"); since a family name, and
// a label name within a series, must be unique for the output to parse, the
// later one gets a suffix _2, _3, ... Families are named in output order
// (counters, gauges, timings; each by name), so the choice is stable.
#include <cmath>
#include <map>
#include <set>

#include "pss/metrics/snapshot.hpp"
#include "text.hpp"

namespace pss::metrics {

namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*, each other byte (also of UTF-8) becoming '_'.
std::string metric_name(std::string_view name) {
    std::string out;
    if (name.empty() || is_digit(name.front())) out.push_back('_');
    for (const char c : name) out.push_back(is_letter(c) || is_digit(c) || c == ':' ? c : '_');
    return out;
}

// Label names must not start with "__" (reserved for Prometheus' own
// labels): a run of leading underscores becomes one.
std::string without_reserved_prefix(std::string name) {
    const std::size_t leading = name.find_first_not_of('_');
    if (leading == std::string::npos) return "_";
    if (leading > 1) name.erase(0, leading - 1);
    return name;
}

// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__".
std::string label_name(std::string_view key) {
    std::string out;
    if (key.empty() || is_digit(key.front())) out.push_back('_');
    for (const char c : key) out.push_back(is_letter(c) || is_digit(c) ? c : '_');
    return without_reserved_prefix(std::move(out));
}

// Label values: UTF-8 (bad bytes become U+FFFD) with \\, \" and \n escaped.
void append_label_value(std::string& out, std::string_view value) {
    out.push_back('"');
    detail::for_each_utf8(
        value,
        [&](char c) {
            if (c == '\\') out += "\\\\";
            else if (c == '"') out += "\\\"";
            else if (c == '\n') out += "\\n";
            else out.push_back(c);
        },
        [&] { out += "\xEF\xBF\xBD"; });
    out.push_back('"');
}

void append_value(std::string& out, double value) {
    if (std::isnan(value)) out += "NaN";
    else if (std::isinf(value)) out += value > 0 ? "+Inf" : "-Inf";
    else detail::append_double(out, value);
}

// The name of the next family: `base` plus `suffix` (e.g. "_total"), with
// _2, _3, ... before the suffix until none of its sample names is taken.
std::string family_name(std::set<std::string>& taken, const std::string& base, const char* suffix,
                        std::initializer_list<const char*> sample_suffixes) {
    for (int n = 1;; ++n) {
        const std::string name = (n == 1 ? base : base + "_" + std::to_string(n)) + suffix;
        bool free = true;
        for (const char* s : sample_suffixes) free = free && taken.count(name + s) == 0;
        if (!free) continue;
        for (const char* s : sample_suffixes) taken.insert(name + s);
        return name;
    }
}

// One label name per tag key of a family, distinct, avoiding `reserved`.
std::map<std::string, std::string> label_names(const std::set<std::string>& keys, const char* reserved) {
    std::map<std::string, std::string> names;
    std::set<std::string> used;
    if (reserved != nullptr) used.insert(reserved);
    for (const std::string& key : keys) {
        const std::string base = label_name(key);
        std::string name = base;
        // "_" + "_2" would be reserved again, hence the second pass.
        for (int n = 2; used.count(name) != 0; ++n) name = without_reserved_prefix(base + "_" + std::to_string(n));
        used.insert(name);
        names.emplace(key, name);
    }
    return names;
}

// `{k="v",...,extra}` or nothing when there are no labels.
void append_labels(std::string& out, const TagSet& tags, const std::map<std::string, std::string>& names,
                   std::string_view extra = {}) {
    if (tags.empty() && extra.empty()) return;
    out.push_back('{');
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += names.at(tags[i].first);
        out.push_back('=');
        append_label_value(out, tags[i].second);
    }
    if (!extra.empty()) {
        if (!tags.empty()) out.push_back(',');
        out += extra;
    }
    out.push_back('}');
}

// Calls fn(first, last) for each run of series with the same name.
template <class Series, class Fn>
void for_each_family(const std::vector<Series>& series, Fn fn) {
    for (std::size_t first = 0; first < series.size();) {
        std::size_t last = first + 1;
        while (last < series.size() && series[last].name == series[first].name) ++last;
        fn(first, last);
        first = last;
    }
}

template <class Series>
std::set<std::string> tag_keys(const std::vector<Series>& series, std::size_t first, std::size_t last) {
    std::set<std::string> keys;
    for (std::size_t i = first; i < last; ++i)
        for (const auto& tag : series[i].tags) keys.insert(tag.first);
    return keys;
}

}  // namespace

std::string to_prometheus(const Snapshot& snapshot) noexcept {
    try {
        std::string out;
        std::set<std::string> taken;  // sample names of the families so far

        for_each_family(snapshot.counters, [&](std::size_t first, std::size_t last) {
            std::string base = metric_name(snapshot.counters[first].name);
            if (base.size() > 6 && base.compare(base.size() - 6, 6, "_total") == 0) base.resize(base.size() - 6);
            const std::string name = family_name(taken, base, "_total", {""});
            const auto labels = label_names(tag_keys(snapshot.counters, first, last), nullptr);
            out += "# TYPE " + name + " counter\n";
            for (std::size_t i = first; i < last; ++i) {
                out += name;
                append_labels(out, snapshot.counters[i].tags, labels);
                out.push_back(' ');
                detail::append_integer(out, snapshot.counters[i].value);
                out.push_back('\n');
            }
        });

        for_each_family(snapshot.gauges, [&](std::size_t first, std::size_t last) {
            const std::string name = family_name(taken, metric_name(snapshot.gauges[first].name), "", {""});
            const auto labels = label_names(tag_keys(snapshot.gauges, first, last), nullptr);
            out += "# TYPE " + name + " gauge\n";
            for (std::size_t i = first; i < last; ++i) {
                out += name;
                append_labels(out, snapshot.gauges[i].tags, labels);
                out.push_back(' ');
                append_value(out, snapshot.gauges[i].stats.current);
                out.push_back('\n');
            }
        });

        for_each_family(snapshot.timings, [&](std::size_t first, std::size_t last) {
            const std::string name =
                family_name(taken, metric_name(snapshot.timings[first].name), "", {"", "_sum", "_count"});
            const auto labels = label_names(tag_keys(snapshot.timings, first, last), "quantile");
            out += "# TYPE " + name + " summary\n";
            for (std::size_t i = first; i < last; ++i) {
                const TimingSeries& t = snapshot.timings[i];
                const std::pair<const char*, double> quantiles[] = {
                    {"quantile=\"0.5\"", t.stats.p50}, {"quantile=\"0.95\"", t.stats.p95}, {"quantile=\"0.99\"", t.stats.p99}};
                for (const auto& [label, value] : quantiles) {
                    out += name;
                    append_labels(out, t.tags, labels, label);
                    out.push_back(' ');
                    append_value(out, value);
                    out.push_back('\n');
                }
                out += name + "_sum";
                append_labels(out, t.tags, labels);
                out.push_back(' ');
                append_value(out, t.stats.sum);
                out += '\n' + name + "_count";
                append_labels(out, t.tags, labels);
                out.push_back(' ');
                detail::append_integer(out, t.stats.count);
                out.push_back('\n');
            }
        });
        return out;
    } catch (...) {
        return std::string();
    }
}

}  // namespace pss::metrics
