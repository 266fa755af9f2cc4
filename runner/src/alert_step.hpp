// The alerting part of a run or an analysis: after the gate, evaluate the
// config's alert rules on the results and send what fires. Never changes the
// exit code: a channel that is down is a warning.
#pragma once

#include <string>

#include "history_step.hpp"
#include "pss/ci/alerts.hpp"
#include "pss/config/config.hpp"
#include "pss/scoring/results.hpp"

namespace CLI {
class App;
}

namespace pss::cli {

// --no-alerts: alerts_enabled from pss.toml, off for this run.
void add_alert_options(CLI::App& cmd, bool& no_alerts);
AlertConfig alert_settings(bool no_alerts, const Config& config);

// The run, its modules (scores as the mean of their tests') and its tests,
// as the rules see them. Durations and memory of a module or the run are
// those of its slowest and largest test. `source`: what was run (binaries or a trace file).
ci::AlertInput alert_input(const RunResults& results, const std::string& source);

// Evaluates and sends (when alerts.enabled). Regressions come with the
// results (compare_with_history); the cooldown is kept in the history
// database (storage_uri).
void send_alerts(const RunResults& results, const AlertConfig& alerts, const HistorySettings& history,
                 const std::string& source);

}  // namespace pss::cli
