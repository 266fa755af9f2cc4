#include "results_json.hpp"

#include <fstream>
#include <stdexcept>

namespace detection {

namespace {

// Missing or null fields (a test with no runs has no durations) read as the
// fallback instead of throwing, so one odd test cannot lose a whole round.
double number_or(const nlohmann::json& object, const char* key, double fallback) {
    const auto it = object.find(key);
    return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string string_or_empty(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<std::string> observation_kinds(const nlohmann::json& observations) {
    std::vector<std::string> kinds;
    if (!observations.is_array()) return kinds;
    for (const auto& o : observations) {
        if (o.is_string()) {
            const auto text = o.get<std::string>();
            kinds.push_back(text.substr(0, text.find(':')));
        } else if (o.is_object() && o.contains("kind") && o["kind"].is_string()) {
            kinds.push_back(o["kind"].get<std::string>());
        }
    }
    return kinds;
}

std::vector<TestResult> read_results(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(path + ": not JSON: " + e.what());
    }
    if (!doc.contains("tests") || !doc["tests"].is_array())
        throw std::runtime_error(path + ": no `tests` array (not a pss results file?)");

    std::vector<TestResult> tests;
    for (const auto& t : doc["tests"]) {
        TestResult r;
        r.name = string_or_empty(t, "name");
        r.verdict = string_or_empty(t, "verdict");
        r.runs = static_cast<int>(number_or(t, "runs", 0));
        r.failures = static_cast<int>(number_or(t, "failures", 0));
        if (t.contains("duration") && t["duration"].is_object()) r.p50_seconds = number_or(t["duration"], "p50", 0);
        if (t.contains("observations")) r.observation_kinds = observation_kinds(t["observations"]);
        if (t.contains("failure_samples") && t["failure_samples"].is_array())
            // "type" is the recorded kind in full ("crash:SIGSEGV"); older files had it in "kind".
            for (const auto& s : t["failure_samples"])
                r.failure_kinds.push_back(s.contains("type") ? string_or_empty(s, "type") : string_or_empty(s, "kind"));
        tests.push_back(std::move(r));
    }
    return tests;
}

}  // namespace detection
