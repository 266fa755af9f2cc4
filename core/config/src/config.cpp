#include "pss/config/config.hpp"
#include "pss/config/name_pattern.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "pss/record/trace_record.hpp"

namespace pss {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

struct Range {
    double min = -inf, max = inf;
    bool min_open = false;  // min itself not allowed
    std::string describe() const {
        if (max == inf) return fmt::format("{} {}", min_open ? ">" : ">=", min);
        return fmt::format("between {} and {}", min, max);
    }
    bool contains(double v) const { return (min_open ? v > min : v >= min) && v <= max; }
};

struct KeySpec {
    std::string name;
    std::function<bool(Config&, const toml::node&, std::string& why)> assign;
};

std::string_view type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        default: return "a date or time";
    }
}

template <class Section, class T>
KeySpec number_key(std::string name, Section Config::*section, T Section::*field, Range range) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                if constexpr (std::is_integral_v<T>) {
                    // Stored from the integer itself: through a double, 2^63 - 1
                    // rounds up to 2^63, which no int64 holds (undefined behaviour).
                    auto i = n.value_exact<std::int64_t>();
                    if (!i) {
                        why = fmt::format("must be an integer, got {}", type_name(n));
                        return false;
                    }
                    if (!range.contains(static_cast<double>(*i)) || !std::in_range<T>(*i)) {
                        why = fmt::format("must be {}, got {}", range.describe(), *i);
                        return false;
                    }
                    c.*section.*field = static_cast<T>(*i);
                } else {
                    auto d = n.value<double>();  // accepts integers too
                    if (!d || !(n.is_integer() || n.is_floating_point())) {
                        why = fmt::format("must be a number, got {}", type_name(n));
                        return false;
                    }
                    if (!range.contains(*d)) {
                        why = fmt::format("must be {}, got {}", range.describe(), *d);
                        return false;
                    }
                    c.*section.*field = static_cast<T>(*d);
                }
                return true;
            }};
}

template <class Section>
KeySpec bool_key(std::string name, Section Config::*section, bool Section::*field) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                auto b = n.value_exact<bool>();
                if (!b) {
                    why = fmt::format("must be true or false, got {}", type_name(n));
                    return false;
                }
                c.*section.*field = *b;
                return true;
            }};
}

// A webhook or API address: http or https only, never a file or another scheme.
KeySpec url_key(std::string name, std::string AlertConfig::*field) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                auto s = n.value_exact<std::string>();
                if (!s) {
                    why = fmt::format("must be a string (a URL), got {}", type_name(n));
                    return false;
                }
                if (!s->empty() && s->rfind("http://", 0) != 0 && s->rfind("https://", 0) != 0) {
                    why = "must be an http:// or https:// URL (or empty to turn the channel off)";
                    return false;
                }
                c.alerts.*field = *s;
                return true;
            }};
}

// A path in the config file is relative to the file, not to the working directory.
template <class Section>
KeySpec path_key(std::string name, Section Config::*section, std::string Section::*field) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                auto s = n.value_exact<std::string>();
                if (!s) {
                    why = fmt::format("must be a string (a path), got {}", type_name(n));
                    return false;
                }
                std::filesystem::path p(*s);
                if (p.is_relative() && !c.source.empty()) p = c.source.parent_path() / p;
                c.*section.*field = p.string();
                return true;
            }};
}

// storage_uri: a SQLite path (relative to the config file) or a database URI
// such as postgresql://user@host/db, kept as written.
KeySpec storage_key(std::string name, std::string HistoryConfig::*field) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                auto s = n.value_exact<std::string>();
                if (!s) {
                    why = fmt::format("must be a string (a file path or a postgresql:// URI), got {}", type_name(n));
                    return false;
                }
                std::filesystem::path p(*s);
                if (s->find("://") == std::string::npos && p.is_relative() && !c.source.empty())
                    p = c.source.parent_path() / p;
                c.history.*field = s->find("://") == std::string::npos ? p.string() : *s;
                c.history.storage_uri_as_written = *s;  // host:port or a port for Prometheus
                return true;
            }};
}

// custom_metric_weights = { "cache.hit_rate" = 0.1 }: pypss's table of
// metric weights; each a non-negative number, keyed by a metric's record key.
KeySpec metric_weights_key(std::string name) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                const toml::table* t = n.as_table();
                if (!t) {
                    why = fmt::format("must be a table of metric names and weights, such as "
                                      "{{ \"cache.hit_rate\" = 0.1 }}, got {}", type_name(n));
                    return false;
                }
                std::map<std::string, double> weights;
                for (const auto& [key, value] : *t) {
                    const auto d = value.value<double>();
                    if (!d || !(value.is_integer() || value.is_floating_point()) || !(*d >= 0) || !(*d < 1e6)) {
                        why = fmt::format("'{}' must be a weight >= 0, got {}", key.str(), type_name(value));
                        return false;
                    }
                    if (key.str().empty() || key.str().size() > max_record_metric_name) {
                        why = fmt::format("has a metric name of {} bytes; names are 1 to {} bytes", key.str().size(),
                                          max_record_metric_name);
                        return false;
                    }
                    weights[std::string(key.str())] = *d;
                }
                c.scoring.custom_metric_weights = std::move(weights);
                return true;
            }};
}

// storage_mode: "push" (a Pushgateway at storage_uri) or "pull" (pss exporter).
// collector: where the records of test processes go (file:PATH, redis://,
// grpc://, or a custom scheme with its plugin); checked when it is opened.
KeySpec collector_key(std::string name) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                auto s = n.value_exact<std::string>();
                if (!s || (!s->empty() && s->find(':') == std::string::npos)) {
                    why = "must be a collector URI: file:PATH, redis://host:port/N?stream=KEY or grpc://host:port";
                    return false;
                }
                c.runner.collector = *s;
                return true;
            }};
}

KeySpec choice_key(std::string name, std::string HistoryConfig::*field, std::vector<std::string> choices) {
    return {name, [=](Config& c, const toml::node& n, std::string& why) {
                auto s = n.value_exact<std::string>();
                if (!s || std::find(choices.begin(), choices.end(), *s) == choices.end()) {
                    std::string list;
                    for (const auto& ch : choices) list += (list.empty() ? "\"" : ", \"") + ch + "\"";
                    why = fmt::format("must be one of {}", list);
                    return false;
                }
                c.history.*field = *s;
                return true;
            }};
}

// The enum of a name in a (enum, name) table.
template <class Table>
auto lookup(const Table& table, std::string_view name) -> std::optional<std::decay_t<decltype(table[0].first)>> {
    for (const auto& [value, n] : table)
        if (n == name) return value;
    return std::nullopt;
}

template <class Table>
std::string names(const Table& table) {
    std::string out;
    for (const auto& [value, n] : table) out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", n);
    return out;
}

// The longest module_pattern or test_pattern: far beyond a useful one.
constexpr std::size_t max_pattern_length = 1000;

// [[pss.custom_alert_rules]] tables, each with [[...conditions]]. Every
// problem names the rule (by position and name) and the key.
bool parse_custom_alert_rules(Config& c, const toml::node& n, std::string& why) {
    const toml::array* rules = n.as_array();
    if (!rules || !rules->is_array_of_tables()) {
        why = fmt::format("must be an array of tables ([[pss.custom_alert_rules]]), got {}", type_name(n));
        return false;
    }
    auto one_of = [](std::string_view value, const auto& choices) {
        return std::any_of(std::begin(choices), std::end(choices), [&](const auto& ch) { return value == ch; });
    };
    auto list = [](const auto& choices) {
        std::string out;
        for (const auto& ch : choices) out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", ch);
        return out;
    };
    std::vector<CustomAlertRule> parsed;
    for (std::size_t i = 0; i < rules->size(); ++i) {
        const toml::table& t = *rules->get(i)->as_table();
        CustomAlertRule rule;
        const std::string at = fmt::format("rule {} (line {})", i + 1, t.source().begin.line);
        auto text = [&](std::string_view key, std::string& out) {
            const toml::node* v = t.get(key);
            if (!v) return true;
            if (!v->is_string()) {
                why = fmt::format("{}: '{}' must be a string, got {}", at, key, type_name(*v));
                return false;
            }
            out = *v->value<std::string>();
            return true;
        };
        for (const auto& [key, value] : t) {
            static constexpr const char* known[] = {"name", "severity", "scope", "module_pattern", "test_pattern",
                                                    "conditions"};
            if (!one_of(key.str(), known)) {
                why = fmt::format("{}: unknown key '{}'; a rule has {}", at, key.str(), list(known));
                return false;
            }
        }
        if (!text("name", rule.name) || !text("severity", rule.severity) || !text("scope", rule.scope) ||
            !text("module_pattern", rule.module_pattern) || !text("test_pattern", rule.test_pattern))
            return false;
        if (rule.name.empty()) {
            why = fmt::format("{}: needs a 'name' (it names the alert and its cooldown)", at);
            return false;
        }
        static constexpr const char* severities[] = {"info", "warning", "critical"};
        if (!one_of(rule.severity, severities)) {
            why = fmt::format("{} '{}': severity must be one of {}", at, rule.name, list(severities));
            return false;
        }
        if (!t.get("scope")) rule.scope = !rule.test_pattern.empty() ? "test" : !rule.module_pattern.empty() ? "module" : "run";
        static constexpr const char* scopes[] = {"run", "module", "test"};
        if (!one_of(rule.scope, scopes)) {
            why = fmt::format("{} '{}': scope must be one of {}", at, rule.name, list(scopes));
            return false;
        }
        for (const std::string* pattern : {&rule.module_pattern, &rule.test_pattern}) {
            // Far beyond a useful pattern; RE2 would also refuse one past its memory budget.
            if (pattern->size() > max_pattern_length) {
                why = fmt::format("{} '{}': a pattern is {} characters long; at most {} are allowed", at, rule.name,
                                  pattern->size(), max_pattern_length);
                return false;
            }
            if (const NamePattern check(*pattern); !check.error().empty()) {
                why = fmt::format("{} '{}': '{}' is not a valid regular expression ({}; RE2 syntax, as Python's re "
                                  "without back-references and look-around)",
                                  at, rule.name, *pattern, check.error());
                return false;
            }
        }
        const toml::array* conditions = t.get("conditions") ? t.get("conditions")->as_array() : nullptr;
        if (!conditions || conditions->empty() || !conditions->is_array_of_tables()) {
            why = fmt::format("{} '{}': needs [[pss.custom_alert_rules.conditions]] tables with metric, operator "
                              "and value",
                              at, rule.name);
            return false;
        }
        for (const toml::node& cn : *conditions) {
            const toml::table& ct = *cn.as_table();
            AlertCondition cond;
            const auto metric = ct["metric"].value<std::string>();
            const auto op = ct["operator"].value<std::string>();
            const auto value = ct["value"].value<double>();
            const auto metric_kind = metric ? lookup(alert_metric_names, *metric) : std::nullopt;
            if (!metric_kind) {
                why = fmt::format("{} '{}': a condition's 'metric' must be one of {}", at, rule.name,
                                  names(alert_metric_names));
                return false;
            }
            const auto op_kind = op ? lookup(alert_operator_names, *op) : std::nullopt;
            if (!op_kind) {
                why = fmt::format("{} '{}': a condition's 'operator' must be one of {}", at, rule.name,
                                  names(alert_operator_names));
                return false;
            }
            if (!value || !(ct["value"].is_integer() || ct["value"].is_floating_point())) {
                why = fmt::format("{} '{}': a condition's 'value' must be a number", at, rule.name);
                return false;
            }
            cond.metric = *metric_kind;
            cond.op = *op_kind;
            cond.value = *value;
            rule.conditions.push_back(std::move(cond));
        }
        parsed.push_back(std::move(rule));
    }
    c.alerts.custom_rules = std::move(parsed);
    return true;
}

const std::vector<KeySpec>& registry() {
    static const std::vector<KeySpec> keys = [] {
        using S = ScoringConfig;
        using A = AdvisorConfig;
        const Range non_negative{0};
        const Range positive{0, inf, true};
        const Range unit{0, 1};
        auto s = [](std::string n, auto field, Range r) { return number_key(std::move(n), &Config::scoring, field, r); };
        auto a = [](std::string n, auto field, Range r) { return number_key(std::move(n), &Config::advisor, field, r); };
        return std::vector<KeySpec>{
            s("w_ts", &S::w_ts, non_negative),
            s("w_ms", &S::w_ms, non_negative),
            s("w_ev", &S::w_ev, non_negative),
            s("w_be", &S::w_be, non_negative),
            s("w_cc", &S::w_cc, non_negative),
            s("alpha", &S::alpha, non_negative),
            s("beta", &S::beta, non_negative),
            s("gamma", &S::gamma, non_negative),
            s("delta", &S::delta, non_negative),
            s("mem_spike_threshold_ratio", &S::mem_spike_threshold_ratio, positive),
            s("error_spike_threshold", &S::error_spike_threshold, Range{0, 0.999999}),
            s("consecutive_error_threshold", &S::consecutive_error_threshold, Range{1}),
            s("concurrency_wait_threshold", &S::concurrency_wait_threshold, non_negative),
            s("score_latency_tail_percentile", &S::score_latency_tail_percentile, Range{0, 98}),
            s("score_memory_epsilon", &S::score_memory_epsilon, non_negative),
            s("score_error_vmr_multiplier", &S::score_error_vmr_multiplier, non_negative),
            s("score_error_spike_impact_multiplier", &S::score_error_spike_impact_multiplier, non_negative),
            s("score_consecutive_error_decay_multiplier", &S::score_consecutive_error_decay_multiplier,
              non_negative),
            s("score_lag_threshold", &S::score_lag_threshold, non_negative),
            s("score_lag_penalty_multiplier", &S::score_lag_penalty_multiplier, non_negative),
            s("timing_noise_floor", &S::timing_noise_floor, non_negative),
            a("advisor_threshold_excellent", &A::advisor_threshold_excellent, Range{0, 100}),
            a("advisor_threshold_good", &A::advisor_threshold_good, Range{0, 100}),
            a("advisor_threshold_warning", &A::advisor_threshold_warning, Range{0, 100}),
            a("advisor_metric_score_critical", &A::advisor_metric_score_critical, unit),
            a("advisor_metric_score_warning", &A::advisor_metric_score_warning, unit),
            a("advisor_error_critical", &A::advisor_error_critical, unit),
            a("advisor_error_warning", &A::advisor_error_warning, unit),
            a("advisor_entropy_threshold", &A::advisor_entropy_threshold, unit),
            KeySpec{"repeat",
                    [](Config& c, const toml::node& n, std::string& why) {
                        // A number of runs, or "auto" (adaptive repetition).
                        if (n.is_string() && *n.value<std::string>() == "auto") {
                            c.runner.repeat_auto = true;
                            return true;
                        }
                        const auto v = n.value_exact<std::int64_t>();
                        if (!v || *v < 1 || *v > 100000) {
                            why = "must be a number of runs from 1 to 100000, or \"auto\"";
                            return false;
                        }
                        c.runner.repeat = *v;
                        c.runner.repeat_auto = false;
                        return true;
                    }},
            KeySpec{"budget",
                    [](Config& c, const toml::node& n, std::string& why) {
                        const auto v = n.value_exact<std::string>();
                        if (!v) {
                            why = "must be a duration as a string, such as \"90s\" or \"2m\"";
                            return false;
                        }
                        c.runner.budget = *v;
                        return true;
                    }},
            number_key("auto_target_failure_rate", &Config::runner, &RunnerConfig::auto_target_failure_rate,
                       Range{0.001, 0.9}),
            number_key("fail_below", &Config::runner, &RunnerConfig::fail_below, Range{0, 100}),
            // Finite: an infinite timeout would let a hanging test hang pss-run forever.
            number_key("timeout", &Config::runner, &RunnerConfig::timeout, Range{0, 1e6, true}),
            number_key("warmup", &Config::runner, &RunnerConfig::warmup, Range{0, 1000}),
            bool_key("allow_flaky", &Config::runner, &RunnerConfig::allow_flaky),
            path_key("quarantine", &Config::runner, &RunnerConfig::quarantine),
            choice_key("storage_backend", &HistoryConfig::storage_backend, {"sqlite", "postgresql", "prometheus"}),
            choice_key("storage_mode", &HistoryConfig::storage_mode, {"push", "pull"}),
            number_key("prometheus_max_tests", &Config::history, &HistoryConfig::prometheus_max_tests,
                       Range{0, 100000}),
            metric_weights_key("custom_metric_weights"),
            storage_key("storage_uri", &HistoryConfig::storage_uri),
            collector_key("collector"),
            number_key("regression_threshold_drop", &Config::history, &HistoryConfig::regression_threshold_drop,
                       non_negative),
            number_key("regression_history_limit", &Config::history, &HistoryConfig::regression_history_limit,
                       Range{1, 1000}),
            number_key("regression_alpha", &Config::history, &HistoryConfig::regression_alpha, Range{0, 1}),
            number_key("regression_min_change", &Config::history, &HistoryConfig::regression_min_change,
                       non_negative),
            bool_key("alerts_enabled", &Config::alerts, &AlertConfig::enabled),
            url_key("alerts_slack_webhook", &AlertConfig::slack_webhook),
            url_key("alerts_teams_webhook", &AlertConfig::teams_webhook),
            url_key("alerts_generic_webhook", &AlertConfig::generic_webhook),
            url_key("alerts_alertmanager_url", &AlertConfig::alertmanager_url),
            number_key("alerts_cooldown_seconds", &Config::alerts, &AlertConfig::cooldown_seconds, non_negative),
            number_key("alerts_timeout_seconds", &Config::alerts, &AlertConfig::timeout_seconds, Range{0, 600, true}),
            number_key("alerts_retries", &Config::alerts, &AlertConfig::retries, Range{1, 10}),
            number_key("alert_threshold_ts", &Config::alerts, &AlertConfig::threshold_ts, unit),
            number_key("alert_threshold_ms", &Config::alerts, &AlertConfig::threshold_ms, unit),
            number_key("alert_threshold_ev", &Config::alerts, &AlertConfig::threshold_ev, unit),
            number_key("alert_threshold_be", &Config::alerts, &AlertConfig::threshold_be, unit),
            number_key("alert_threshold_cc", &Config::alerts, &AlertConfig::threshold_cc, unit),
            KeySpec{"custom_alert_rules", parse_custom_alert_rules},
        };
    }();
    return keys;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string nearest_key(std::string_view key) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& spec : registry()) {
        const std::size_t d = edit_distance(key, spec.name);
        if (d < best_distance) {
            best_distance = d;
            best = spec.name;
        }
    }
    return best;
}

std::string where(const std::filesystem::path& file, const toml::source_region& src) {
    return fmt::format("{}:{}", file.string(), src.begin.line);
}

// pypss flattens sub-tables with '_': [pss.alerts] enabled = alerts_enabled.
void apply_table(Config& cfg, const toml::table& table, const std::string& prefix, const std::filesystem::path& file) {
    for (const auto& [key, node] : table) {
        const std::string name = prefix + std::string(key.str());
        const bool table_valued = name == "custom_metric_weights";  // a key whose value is a table
        if (const toml::table* sub = node.as_table(); sub && !table_valued) {
            apply_table(cfg, *sub, name + "_", file);
            continue;
        }
        const auto& keys = registry();
        auto spec = std::find_if(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.name == name; });
        if (spec == keys.end()) {
            cfg.warnings.push_back(fmt::format("{}: unknown key '{}' in [pss], ignored; did you mean '{}'?",
                                               where(file, key.source()), name, nearest_key(name)));
            continue;
        }
        std::string why;
        if (!spec->assign(cfg, node, why))
            throw ConfigError(fmt::format("{}: [pss] key '{}' {}", where(file, node.source()), name, why));
    }
}

void check_consistency(const Config& cfg, const std::filesystem::path& file) {
    const auto& s = cfg.scoring;
    if (s.w_ts + s.w_ms + s.w_ev + s.w_be + s.w_cc <= 0)
        throw ConfigError(fmt::format("{}: [pss] weights w_ts, w_ms, w_ev, w_be, w_cc are all 0; "
                                      "at least one must be positive",
                                      file.string()));
}

}  // namespace

std::string_view to_string(AlertMetric m) {
    for (const auto& [value, name] : alert_metric_names)
        if (value == m) return name;
    return "?";
}

std::string_view to_string(AlertOperator op) {
    for (const auto& [value, name] : alert_operator_names)
        if (value == op) return name;
    return "?";
}

Config parse_config(std::string_view text, const std::filesystem::path& file) {
    Config cfg;
    cfg.source = file;
    toml::table root;
    try {
        root = toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}: invalid TOML: {}", file.string(), e.source().begin.line,
                                      e.description()));
    }
    // [pss] in pss.toml; pypss's own tables too, so a project that tuned
    // pypss keeps its settings: [pypss] (pypss.toml), [tool.pypss] (pyproject.toml).
    const toml::node* pss = root.get("pss");
    std::string table_name = "pss";
    if (!pss) {
        if ((pss = root.get("pypss"))) table_name = "pypss";
        else if (const toml::table* tool = root["tool"].as_table(); tool && (pss = tool->get("pypss")))
            table_name = "tool.pypss";
    }
    if (!pss) {
        cfg.warnings.push_back(
            fmt::format("{}: no [pss] table (nor pypss's [pypss] or [tool.pypss]); using the defaults", file.string()));
    } else if (const toml::table* table = pss->as_table()) {
        apply_table(cfg, *table, "", file);
    } else {
        throw ConfigError(fmt::format("{}: '{}' must be a table ([{}])", where(file, pss->source()), table_name,
                                      table_name));
    }
    check_consistency(cfg, file);
    return cfg;
}

Config load_config_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        throw ConfigError(fmt::format("config file '{}' does not exist or is not a file", file.string()));
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) throw ConfigError(fmt::format("cannot read config file '{}'", file.string()));
    std::string text;
    char buf[8192];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    return parse_config(text, file);
}

namespace {

// pyproject.toml counts only with a [tool.pypss] table: most have none.
bool has_pypss_table(const std::filesystem::path& pyproject) {
    try {
        const toml::table root = toml::parse_file(pyproject.string());
        return root["tool"]["pypss"].is_table();
    } catch (const toml::parse_error&) {
        return false;  // not ours to complain about
    }
}

}  // namespace

std::optional<std::filesystem::path> find_config_upward(const std::filesystem::path& start) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::absolute(start, ec);
    if (ec) return std::nullopt;
    for (;;) {
        // In each directory: pss.toml, then pypss's own files.
        for (const char* name : {"pss.toml", "pypss.toml"}) {
            const auto candidate = dir / name;
            if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
        }
        const auto pyproject = dir / "pyproject.toml";
        if (std::filesystem::is_regular_file(pyproject, ec) && has_pypss_table(pyproject)) return pyproject;
        if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
        dir = dir.parent_path();
    }
}

Config resolve_config(const std::optional<std::filesystem::path>& explicit_file) {
    if (explicit_file) return load_config_file(*explicit_file);
    if (const char* env = std::getenv("PSS_CONFIG"); env && *env) return load_config_file(env);
    std::error_code ec;
    if (auto found = find_config_upward(std::filesystem::current_path(ec))) return load_config_file(*found);
    return Config{};
}

std::vector<std::string> config_keys() {
    std::vector<std::string> out;
    for (const auto& k : registry()) out.push_back(k.name);
    return out;
}

}  // namespace pss
