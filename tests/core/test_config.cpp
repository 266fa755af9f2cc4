// pss.toml: pypss key names, unknown-key warnings, type and range errors with file and line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "pss/config/config.hpp"

using namespace pss;

namespace {

std::string error_of(std::string_view text) {
    try {
        parse_config(text, "pss.toml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Config, DefaultsArePypssDefaultsPlusTheNoiseFloor) {
    const Config c;
    EXPECT_DOUBLE_EQ(c.scoring.w_ts, 0.30);
    EXPECT_DOUBLE_EQ(c.scoring.w_cc, 0.15);
    EXPECT_DOUBLE_EQ(c.scoring.alpha, 2.0);
    EXPECT_EQ(c.scoring.consecutive_error_threshold, 3);
    EXPECT_EQ(c.scoring.score_latency_tail_percentile, 94);
    EXPECT_DOUBLE_EQ(c.scoring.timing_noise_floor, 0.0002);
}

TEST(Config, ReadsPssTable) {
    const Config c = parse_config(R"(
[pss]
w_ts = 0.5
alpha = 3          # an integer is accepted for a float key
consecutive_error_threshold = 5
timing_noise_floor = 0.0
advisor_threshold_good = 70
)",
                                  "pss.toml");
    EXPECT_DOUBLE_EQ(c.scoring.w_ts, 0.5);
    EXPECT_DOUBLE_EQ(c.scoring.alpha, 3.0);
    EXPECT_EQ(c.scoring.consecutive_error_threshold, 5);
    EXPECT_DOUBLE_EQ(c.scoring.timing_noise_floor, 0.0);
    EXPECT_DOUBLE_EQ(c.advisor.advisor_threshold_good, 70);
    EXPECT_TRUE(c.warnings.empty());
}

TEST(Config, UnknownKeyWarnsWithNearestKnownKey) {
    const Config c = parse_config("[pss]\nw_tss = 0.4\n", "conf/pss.toml");
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_EQ(c.warnings[0], "conf/pss.toml:2: unknown key 'w_tss' in [pss], ignored; did you mean 'w_ts'?");
    EXPECT_DOUBLE_EQ(c.scoring.w_ts, 0.30);
}

TEST(Config, SubTablesFlattenLikePypss) {
    const Config c = parse_config("[pss.advisor]\nthreshold_good = 60\n", "pss.toml");
    EXPECT_DOUBLE_EQ(c.advisor.advisor_threshold_good, 60);
}

TEST(Config, WrongTypeNamesFileLineAndKey) {
    EXPECT_EQ(error_of("[pss]\n\nalpha = \"high\"\n"), "pss.toml:3: [pss] key 'alpha' must be a number, got a string");
    EXPECT_EQ(error_of("[pss]\nconsecutive_error_threshold = 2.5\n"),
              "pss.toml:2: [pss] key 'consecutive_error_threshold' must be an integer, got a float");
}

TEST(Config, OutOfRangeNamesTheRange) {
    EXPECT_EQ(error_of("[pss]\nw_ts = -1\n"), "pss.toml:2: [pss] key 'w_ts' must be >= 0, got -1");
    EXPECT_EQ(error_of("[pss]\nscore_latency_tail_percentile = 99\n"),
              "pss.toml:2: [pss] key 'score_latency_tail_percentile' must be between 0 and 98, got 99");
}

// Found by fuzz/fuzz_config.cpp: integer keys went through a double, where
// 2^63 - 1 becomes 2^63, and the cast back to int64 was undefined behaviour
// (on x86 the threshold came out as -2^63).
TEST(Config, LargestIntegersAreStoredExactly) {
    const Config c = parse_config("[pss]\nconsecutive_error_threshold = 9223372036854775807\n", "pss.toml");
    EXPECT_EQ(c.scoring.consecutive_error_threshold, std::numeric_limits<std::int64_t>::max());
    // Named as written, not as the nearest double (9007199254740992).
    EXPECT_EQ(error_of("[pss]\nalerts_retries = 9007199254740993\n"),
              "pss.toml:2: [pss] key 'alerts_retries' must be between 1 and 10, got 9007199254740993");
}

TEST(Config, AllWeightsZeroIsAnError) {
    EXPECT_NE(error_of("[pss]\nw_ts=0\nw_ms=0\nw_ev=0\nw_be=0\nw_cc=0\n").find("weights"), std::string::npos);
}

TEST(Config, InvalidTomlNamesTheLine) {
    const std::string e = error_of("[pss]\nalpha = = 2\n");
    EXPECT_EQ(e.rfind("pss.toml:2: invalid TOML", 0), 0u) << e;
}

TEST(Config, MissingPssTableWarnsAndUsesDefaults) {
    const Config c = parse_config("[tool]\nx = 1\n", "pss.toml");
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_NE(c.warnings[0].find("no [pss] table"), std::string::npos);
}

TEST(Config, FoundUpwardFromTheWorkingDirectory) {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / ("pss-config-" + std::to_string(::getpid()));
    fs::create_directories(root / "a" / "b");
    std::ofstream(root / "pss.toml") << "[pss]\nbeta = 4\n";
    const auto found = find_config_upward(root / "a" / "b");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(fs::canonical(*found), fs::canonical(root / "pss.toml"));
    EXPECT_DOUBLE_EQ(load_config_file(*found).scoring.beta, 4.0);
    fs::remove_all(root);
}

TEST(Config, ExplicitFileThatDoesNotExistIsAnError) {
    EXPECT_THROW(resolve_config(std::filesystem::path("/nonexistent/pss.toml")), ConfigError);
}

TEST(Config, EnvironmentVariableNamesTheFile) {
    namespace fs = std::filesystem;
    const fs::path file = fs::temp_directory_path() / ("pss-env-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(file) << "[pss]\ngamma = 7\n";
    ::setenv("PSS_CONFIG", file.c_str(), 1);
    const Config c = resolve_config(std::nullopt);
    ::unsetenv("PSS_CONFIG");
    fs::remove(file);
    EXPECT_DOUBLE_EQ(c.scoring.gamma, 7.0);
}

TEST(Config, HistoryKeysAndPathsRelativeToTheConfigFile) {
    const Config c = parse_config(
        "[pss]\nstorage_uri = \"db/history.db\"\nregression_threshold_drop = 5\nregression_history_limit = 8\n"
        "regression_alpha = 0.01\nregression_min_change = 0.2\n",
        "/repo/ci/pss.toml");
    EXPECT_EQ(c.history.storage_uri, "/repo/ci/db/history.db");
    EXPECT_DOUBLE_EQ(c.history.regression_threshold_drop, 5);
    EXPECT_EQ(c.history.regression_history_limit, 8);
    EXPECT_DOUBLE_EQ(c.history.regression_alpha, 0.01);
    EXPECT_DOUBLE_EQ(c.history.regression_min_change, 0.2);
    EXPECT_EQ(Config{}.history.storage_uri, ".pss/history.db");
    EXPECT_EQ(error_of("[pss]\nstorage_backend = \"postgres\"\n"),
              "pss.toml:2: [pss] key 'storage_backend' must be one of \"sqlite\", \"postgresql\", \"prometheus\"");
}

TEST(Config, AlertKeysUsePypssNamesAndSubTables) {
    const Config c = parse_config(R"(
[pss]
alerts_enabled = true
alerts_slack_webhook = "https://hooks.slack.com/services/T/B/x"
alerts_alertmanager_url = "http://127.0.0.1:9093"
alerts_cooldown_seconds = 600
alert_threshold_ev = 0.9
[pss.alerts]
teams_webhook = "https://example.webhook.office.com/x"
retries = 5
)",
                                  "pss.toml");
    EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
    EXPECT_TRUE(c.alerts.enabled);
    EXPECT_EQ(c.alerts.slack_webhook, "https://hooks.slack.com/services/T/B/x");
    EXPECT_EQ(c.alerts.teams_webhook, "https://example.webhook.office.com/x");
    EXPECT_EQ(c.alerts.alertmanager_url, "http://127.0.0.1:9093");
    EXPECT_DOUBLE_EQ(c.alerts.cooldown_seconds, 600);
    EXPECT_DOUBLE_EQ(c.alerts.threshold_ev, 0.9);
    EXPECT_DOUBLE_EQ(c.alerts.threshold_ts, 0.70);  // pypss's defaults
    EXPECT_EQ(c.alerts.retries, 5);
    const Config defaults;
    EXPECT_FALSE(defaults.alerts.enabled);
    EXPECT_DOUBLE_EQ(defaults.alerts.cooldown_seconds, 3600);
    EXPECT_DOUBLE_EQ(defaults.alerts.threshold_ev, 0.80);
}

TEST(Config, AlertUrlsMustBeHttp) {
    EXPECT_EQ(error_of("[pss]\nalerts_generic_webhook = \"file:///etc/passwd\"\n"),
              "pss.toml:2: [pss] key 'alerts_generic_webhook' must be an http:// or https:// URL (or empty to turn "
              "the channel off)");
    EXPECT_EQ(error_of("[pss]\nalert_threshold_ts = 1.5\n"),
              "pss.toml:2: [pss] key 'alert_threshold_ts' must be between 0 and 1, got 1.5");
}

TEST(Config, CustomAlertRulesAsPypssWritesThem) {
    const Config c = parse_config(R"(
[pss]
alerts_enabled = true

[[pss.custom_alert_rules]]
name = "Critical Auth Service Failure"
severity = "critical"
module_pattern = "^auth_service"

[[pss.custom_alert_rules.conditions]]
metric = "pss"
operator = "<"
value = 70.0

[[pss.custom_alert_rules.conditions]]
metric = "error_volatility"
operator = "<"
value = 0.6

[[pss.custom_alert_rules]]
name = "Slow tests"
test_pattern = "Storage\\."
conditions = [{ metric = "duration_p95", operator = ">", value = 0.5 }]
)",
                                  "pss.toml");
    ASSERT_EQ(c.alerts.custom_rules.size(), 2u);
    const auto& auth = c.alerts.custom_rules[0];
    EXPECT_EQ(auth.name, "Critical Auth Service Failure");
    EXPECT_EQ(auth.severity, "critical");
    EXPECT_EQ(auth.scope, "module");  // a module pattern alone means module scope
    ASSERT_EQ(auth.conditions.size(), 2u);
    EXPECT_EQ(auth.conditions[1].metric, AlertMetric::error_volatility);
    EXPECT_EQ(auth.conditions[1].op, AlertOperator::less);
    EXPECT_DOUBLE_EQ(auth.conditions[1].value, 0.6);
    EXPECT_EQ(c.alerts.custom_rules[1].scope, "test");
    EXPECT_EQ(c.alerts.custom_rules[1].severity, "warning");
    EXPECT_EQ(c.alerts.custom_rules[1].test_pattern, "Storage\\.");
}

// Found with fuzz/fuzz_config.cpp: std::regex compiles recursively, and a
// pattern of 100,000 nested parentheses overflowed the stack while the config
// was checked.
TEST(Config, AlertRulePatternsHaveABoundedLength) {
    const auto rule = [](const std::string& pattern) {
        return "[pss]\n[[pss.custom_alert_rules]]\nname = \"deep\"\ntest_pattern = \"" + pattern +
               "\"\n[[pss.custom_alert_rules.conditions]]\nmetric = \"pss\"\noperator = \"<\"\nvalue = 1\n";
    };
    const std::string deep = std::string(100000, '(') + "a" + std::string(100000, ')');
    EXPECT_EQ(error_of(rule(deep)),
              "pss.toml:2: [pss] key 'custom_alert_rules' rule 1 (line 2) 'deep': a pattern is 200001 characters "
              "long; at most 1000 are allowed");
    const std::string longest = std::string(499, '(') + "ab" + std::string(499, ')');
    EXPECT_EQ(parse_config(rule(longest), "pss.toml").alerts.custom_rules.at(0).test_pattern, longest);
}

TEST(Config, CustomAlertRuleErrorsNameTheRuleAndWhatIsWrong) {
    auto rule = [](std::string body) { return error_of("[pss]\n[[pss.custom_alert_rules]]\n" + body); };
    const std::string cond = "conditions = [{ metric = \"pss\", operator = \"<\", value = 70 }]\n";
    EXPECT_NE(rule(cond).find("rule 1 (line 2): needs a 'name'"), std::string::npos) << rule(cond);
    EXPECT_NE(rule("name = \"r\"\n").find("'r': needs [[pss.custom_alert_rules.conditions]]"), std::string::npos);
    EXPECT_NE(rule("name = \"r\"\nmodule_pattern = \"(unclosed\"\n" + cond).find("not a valid regular expression"),
              std::string::npos);
    // Back-references are Python's but not linear-time: refused, saying which syntax is meant.
    EXPECT_NE(rule("name = \"r\"\ntest_pattern = '(a)\\1'\n" + cond).find("RE2 syntax"), std::string::npos)
        << rule("name = \"r\"\ntest_pattern = '(a)\\1'\n" + cond);
    EXPECT_NE(rule("name = \"r\"\nseverity = \"panic\"\n" + cond).find("severity must be one of \"info\", \"warning\", "
                                                                       "\"critical\""),
              std::string::npos);
    EXPECT_NE(rule("name = \"r\"\nconditions = [{ metric = \"speed\", operator = \"<\", value = 1 }]\n")
                  .find("'metric' must be one of \"pss\""),
              std::string::npos);
    EXPECT_NE(rule("name = \"r\"\nconditions = [{ metric = \"pss\", operator = \"=<\", value = 1 }]\n")
                  .find("'operator' must be one of"),
              std::string::npos);
    EXPECT_NE(rule("name = \"r\"\nconditions = [{ metric = \"pss\", operator = \"<\", value = \"70\" }]\n")
                  .find("'value' must be a number"),
              std::string::npos);
    EXPECT_NE(rule("name = \"r\"\nthreshold = 3\n" + cond).find("unknown key 'threshold'"), std::string::npos);
    EXPECT_EQ(rule("name = \"r\"\nseverity = \"panic\"\n" + cond),
              "pss.toml:2: [pss] key 'custom_alert_rules' rule 1 (line 2) 'r': severity must be one of \"info\", "
              "\"warning\", \"critical\"");
    EXPECT_EQ(error_of("[pss]\ncustom_alert_rules = 3\n"),
              "pss.toml:2: [pss] key 'custom_alert_rules' must be an array of tables ([[pss.custom_alert_rules]]), "
              "got an integer");
}
