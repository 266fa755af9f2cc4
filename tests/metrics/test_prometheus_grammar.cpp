// to_prometheus() on random hostile names and tags: every line must follow
// the 0.0.4 text grammar, each family have one TYPE line before its samples,
// and no two samples share a name and label set.
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "metrics_test.hpp"

namespace {

// Short strings drawn from characters that trouble the format: separators,
// quotes, backslashes, newlines, digits first, UTF-8 and invalid bytes.
std::string hostile(std::mt19937& rng) {
    static const std::string alphabet[] = {"a", "b", "_", ".", "-", " ", "9", ":", "\"", "\\", "\n", "{", "}", "=",
                                           ",", "#", "\xC3\xA9", "\xFF", "\t", "_total", "_sum", "_count", "quantile",
                                           "__"};
    std::uniform_int_distribution<std::size_t> length(0, 5), pick(0, std::size(alphabet) - 1);
    std::string s;
    for (std::size_t i = length(rng); i > 0; --i) s += alphabet[pick(rng)];
    return s;
}

struct Checked {
    std::size_t samples = 0;
    std::string error;  // empty: valid
};

Checked check_exposition(const std::string& text) {
    static const std::regex type_line(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary))");
    static const std::regex sample_line(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+))");
    static const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)\")");
    static const std::regex number(R"([+-]?(?:[0-9]+(?:\.[0-9]*)?(?:e[+-]?[0-9]+)?|Inf)|NaN)");

    Checked result;
    std::set<std::string> families, series;
    std::string family, type;
    std::istringstream lines(text);
    std::string line;
    if (!text.empty() && text.back() != '\n') return {0, "no final newline"};
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_match(line, m, type_line)) {
            family = m[1];
            type = m[2];
            if (!families.insert(family).second) return {0, "second TYPE line for " + family};
            continue;
        }
        if (!std::regex_match(line, m, sample_line)) return {0, "bad line: " + line};
        const std::string name = m[1], labels = m[3], value = m[4];
        if (!std::regex_match(value, number)) return {0, "bad value: " + line};
        const bool in_family = name == family || (type == "summary" && (name == family + "_sum" || name == family + "_count"));
        if (!in_family) return {0, "sample outside its family: " + line};
        std::set<std::string> names;
        for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label); it != std::sregex_iterator(); ++it) {
            const std::string label_name = (*it)[1];
            if (label_name.rfind("__", 0) == 0) return {0, "reserved label name: " + line};
            if (!names.insert(label_name).second) return {0, "repeated label: " + line};
        }
        if (type == "summary" && name == family && names.count("quantile") == 0) return {0, "no quantile: " + line};
        if (!series.insert(name + "{" + labels + "}").second) return {0, "repeated series: " + line};
        ++result.samples;
    }
    return result;
}

}  // namespace

TEST_F(Metrics, PrometheusOutputParsesWhateverTheNames) {
    std::mt19937 rng(2024);
    for (int round = 0; round < 300; ++round) {
        pm::reset();
        std::size_t expected = 0;
        for (int i = 0; i < 40; ++i) {
            const std::string name = hostile(rng);
            std::vector<std::string> strings;
            for (int k = 0; k < 3; ++k) strings.push_back(hostile(rng));
            std::vector<pm::Tag> tags;
            if (rng() % 2) tags.push_back({strings[0], strings[1]});
            if (rng() % 3 == 0) tags.push_back({strings[2], strings[0]});
            switch (rng() % 3) {
                case 0: pm::increment(name, 1, tags); break;
                case 1: pm::gauge(name, 1.5, tags); break;
                default: pm::timing(name, 0.25, tags); break;
            }
        }
        const pm::Snapshot snapshot = pm::all();
        expected = snapshot.counters.size() + snapshot.gauges.size() + 5 * snapshot.timings.size();
        const std::string text = pm::to_prometheus(snapshot);
        const Checked checked = check_exposition(text);
        ASSERT_EQ(checked.error, "") << "round " << round << "\n" << text;
        EXPECT_EQ(checked.samples, expected) << text;  // nothing lost or merged
    }
}
