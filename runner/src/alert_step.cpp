#include "alert_step.hpp"

#include <algorithm>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "child_process.hpp"
#include "cli_support.hpp"
#include "run_metadata.hpp"
#include "pss/ci/alert_channels.hpp"
#include "pss/ci/alert_dispatch.hpp"
#include "pss/ci/history_store.hpp"
#include "pss/text/format.hpp"

namespace pss::cli {

void add_alert_options(CLI::App& cmd, bool& no_alerts) {
    cmd.add_flag("--no-alerts", no_alerts, "Do not send alerts for this run (alerts_enabled in pss.toml)");
}

AlertConfig alert_settings(bool no_alerts, const Config& config) {
    AlertConfig a = config.alerts;
    if (no_alerts) a.enabled = false;
    return a;
}

namespace {

ci::AlertSubject subject_of(const TestResult& t) {
    return {t.name, t.module, t.score, t.runs, t.failures, t.duration.p50, t.duration.p95, t.memory_peak};
}

// A group of tests (a module, the run) as one subject.
ci::AlertSubject group_of(std::string name, const std::vector<TestResult>& tests, const Score& score) {
    ci::AlertSubject s{std::move(name), {}, score, 0, 0, 0, 0, 0};
    for (const auto& t : tests) {
        s.runs += t.runs;
        s.failures += t.failures;
        s.duration_p50 = std::max(s.duration_p50, t.duration.p50);
        s.duration_p95 = std::max(s.duration_p95, t.duration.p95);
        s.memory_peak = std::max(s.memory_peak, t.memory_peak);
    }
    return s;
}

void print_outcome(const ci::AlertDispatch& d) {
    for (std::size_t i = 0; i < d.suppressed.size(); ++i)
        fmt::print(stderr, "pss: alert '{}' not sent again: {}\n", text::display_text(d.suppressed[i].rule),
                   d.suppressed_why[i]);
    for (const auto& c : d.channels) {
        if (c.delivered == c.requests)
            fmt::print(stderr, "pss: alerts sent to {} ({})\n", c.channel, c.address);
        else
            print_warning(fmt::format("alert channel {} ({}) failed: {}; {} of {} requests delivered", c.channel,
                                      c.address, c.error, c.delivered, c.requests));
    }
    if (!d.undelivered.empty())
        print_warning(fmt::format("{} alert{} reached no channel; the next run will try again", d.undelivered.size(),
                                  d.undelivered.size() == 1 ? "" : "s"));
}

}  // namespace

ci::AlertInput alert_input(const RunResults& report, const std::string& source) {
    ci::AlertInput in;
    in.run = group_of(source, report.tests, report.overall);
    std::map<std::string, std::vector<TestResult>> modules;
    for (const auto& t : report.tests) {
        if (t.quarantined) continue;  // known and accepted: not worth an alert
        in.tests.push_back(subject_of(t));
        modules[t.module].push_back(t);
    }
    in.regressions = report.regressions;
    for (const auto& [name, tests] : modules) in.modules.push_back(group_of(name, tests, aggregate(tests)));
    return in;
}

void send_alerts(const RunResults& report, const AlertConfig& alerts, const HistorySettings& history,
                 const std::string& source) {
    if (!alerts.enabled) return;
    const ci::AlertInput input = alert_input(report, source);
    std::unique_ptr<ci::HistoryStore> store;
    try {
        store = ci::open_history_store(history.config.storage_uri);
    } catch (const ci::HistoryError& e) {
        print_warning(fmt::format("{}; alerts are sent without a cooldown", e.what()));
        store.reset();
    }

    const auto fired = ci::evaluate_alerts(input, alerts);
    for (const auto& a : fired)
        fmt::print(stderr, "pss: alert ({}): {}\n", ci::to_string(a.severity), text::display_text(a.message));
    if (fired.empty()) return;
    const auto channels = ci::make_alert_channels(alerts);
    if (channels.empty()) {
        print_warning("alerts_enabled is true but no channel is set (alerts_slack_webhook, alerts_teams_webhook, "
                      "alerts_generic_webhook, alerts_alertmanager_url); the alerts were only printed");
        return;
    }
    const ci::AlertOrigin origin{source, report.meta.git_branch, report.meta.git_commit, report.meta.host,
                                 report.meta.finished_at > 0 ? report.meta.finished_at : now_epoch()};
    try {
        print_outcome(ci::dispatch_alerts(fired, origin, channels, alerts, store.get(), now_epoch(),
                                          [] { return runner::interrupted(); }));
    } catch (const ci::HistoryError& e) {
        print_warning(fmt::format("alert cooldown in '{}': {}; alerts were not sent", ci::redact_uri(history.config.storage_uri),
                                  e.what()));
    }
}

}  // namespace pss::cli
