// pss.toml: pypss key names, unknown-key warnings, type and range errors with file and line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "pss/config.hpp"

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
              "pss.toml:2: [pss] key 'storage_backend' must be one of \"sqlite\"");
}
