// pss.toml: the [pss] table of a TOML file, with pypss's key names where
// pypss has one. Found via --config, then $PSS_CONFIG, then pss.toml in the
// working directory or any directory above it.
#pragma once

#include <filesystem>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pss/advisor.hpp"
#include "pss/scoring.hpp"

namespace pss {

// Defaults for `pss run`; its command-line options override them.
struct RunnerConfig {
    std::int64_t repeat = 10;
    std::int64_t fail_below = 80;
    double timeout = 60.0;  // seconds per test case
    bool allow_flaky = false;
    std::string quarantine;  // file of test names or globs; relative to the config file
};

// Where history is kept and what counts as a regression (pypss's keys).
struct HistoryConfig {
    std::string storage_backend = "sqlite";
    std::string storage_uri = ".pss/history.db";  // relative to the config file, or to the working directory
    double regression_threshold_drop = 10.0;      // PSS points below the baseline mean
    std::int64_t regression_history_limit = 5;    // baseline runs considered
    double regression_alpha = 0.05;               // Mann-Whitney significance on run durations
    double regression_min_change = 0.10;          // and at least this relative slow-down of the median
};

struct Config {
    ScoringConfig scoring;
    AdvisorConfig advisor;
    RunnerConfig runner;
    HistoryConfig history;

    std::filesystem::path source;       // the file read; empty when defaults
    std::vector<std::string> warnings;  // unknown keys, with the nearest known one
};

// A wrong type, an out-of-range value or an unreadable file. The message names
// the file, the line and the key.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

Config load_config_file(const std::filesystem::path& file);
Config parse_config(std::string_view toml_text, const std::filesystem::path& name_for_messages);

// pss.toml in `start` or the nearest directory above it.
std::optional<std::filesystem::path> find_config_upward(const std::filesystem::path& start);

// --config (when given), else $PSS_CONFIG, else the upward search, else defaults.
Config resolve_config(const std::optional<std::filesystem::path>& explicit_file);

// Every key the [pss] table accepts, for messages and documentation.
std::vector<std::string> config_keys();

}  // namespace pss
