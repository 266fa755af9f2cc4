#include "history_step.hpp"

#include <cstdlib>
#include <functional>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "pss/ci/history_store.hpp"
#include "pss/ci/prometheus.hpp"
#include "pss/ci/regression.hpp"
#include "pss/text/format.hpp"

namespace pss::cli {

namespace {

// For the reports (PR comment, HTML): the baseline's own PSS and each test's
// PSS in the last runs of the baseline branch, oldest first.
void add_trends(RunResults& results, const ci::HistoryStore& store, const std::optional<std::string>& branch) {
    ci::RunQuery recent;
    recent.limit = 12;
    recent.branch = branch;
    const auto runs = store.runs(recent);
    results.baseline_branch = branch.value_or("");
    if (!runs.empty()) results.baseline_pss = runs.front().pss;
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    for (std::size_t i = 0; i < results.tests.size(); ++i) index[{results.tests[i].module, results.tests[i].name}] = i;
    for (auto run = runs.rbegin(); run != runs.rend(); ++run)
        for (const auto& stored : store.tests_of_run(run->id))
            if (auto it = index.find({stored.module, stored.name}); it != index.end())
                results.tests[it->second].pss_trend.push_back(stored.pss);
}

}  // namespace

std::string history_database(const Config& config, const std::string& db_option) {
    if (!db_option.empty()) return db_option;
    if (config.history.storage_backend == "prometheus") return HistoryConfig{}.storage_uri;
    return config.history.storage_uri;
}

std::optional<std::string> baseline_branch(const RunResults& report, const HistorySettings& s) {
    if (s.baseline_branch) return s.baseline_branch;
    if (!report.meta.git_branch.empty()) return report.meta.git_branch;
    return std::nullopt;
}

std::optional<std::string> compare_with_history(RunResults& results, const HistorySettings& s) {
    if (!ci::history_may_exist(s.config.storage_uri)) {
        if (s.baseline_branch || s.fail_on_regression)
            print_warning(fmt::format("no history in '{}' yet: nothing to compare with (store runs with "
                                      "--store-history)",
                                      ci::redact_uri(s.config.storage_uri)));
        return std::nullopt;
    }
    try {
        const auto store = ci::open_history_store(s.config.storage_uri);
        const std::optional<std::string> branch = baseline_branch(results, s);
        const auto found =
            ci::detect_regressions(*store, results.tests, results.overall, branch, s.config, s.timing_noise_floor);
        if (s.enabled())
            for (const auto& w : found.warnings) print_warning(text::display_text(w));
        ci::apply_regressions(results, found);
        add_trends(results, *store, branch);
        for (const auto& r : found.regressions) {
            if (r.test.empty()) results.notes.push_back("regression: " + r.message);
            fmt::print(stderr, "pss: regression ({}): {}{}\n", to_string(r.rule),
                       r.test.empty() ? "" : text::display_text(r.test) + ": ", text::display_text(r.message));
        }
    } catch (const ci::HistoryError& e) {
        if (s.store || s.fail_on_regression)
            return fmt::format("{}; regressions were not checked{}", e.what(),
                               s.fail_on_regression ? " (--fail-on-regression)" : " (--store-history)");
        print_warning(fmt::format("{}; regressions were not checked", e.what()));
    }
    return std::nullopt;
}

void fail_gate_for_history(RunResults& results, const std::string& error) {
    results.notes.push_back("history: " + error);
    results.gate = {exit_cannot_run, "history could not be used: " + error +
                                          ". The tests' results are reported; fix the database (or drop "
                                          "--store-history / --fail-on-regression) and run again."};
}

std::optional<std::string> store_in_history(const RunResults& report, const HistorySettings& s,
                                            const std::string& source) {
    if (!s.store) return std::nullopt;
    try {
        ci::RunContext context;
        context.commit = report.meta.git_commit;
        context.branch = report.meta.git_branch;
        for (const char* var : {"GITHUB_RUN_ID", "CI_PIPELINE_ID", "BUILDKITE_BUILD_ID", "CIRCLE_BUILD_NUM", "BUILD_ID"})
            if (const char* v = std::getenv(var); v && *v) {
                context.ci_run_id = v;
                break;
            }
        context.host = report.meta.host;
        context.config_hash = s.config_hash;
        context.source = source;
        if (!s.pushgateway.empty()) {
            const ci::StoredRows rows =
                ci::as_stored_rows(report.meta.started_at, context, report.overall, report.tests, report.gate.exit_code);
            ci::ExpositionLimits limits;
            limits.max_tests = static_cast<std::size_t>(s.config.prometheus_max_tests);
            ci::push_to_gateway(s.pushgateway, rows.run, rows.tests, limits);
            fmt::print(stderr, "pss: pushed to the Pushgateway at {}\n", s.pushgateway);
        }
        if (!s.store_in_database) return std::nullopt;
        const auto store = ci::open_history_store(s.config.storage_uri);
        const auto id = store->store(report.meta.started_at, context, report.overall, report.tests,
                                     report.gate.exit_code);
        fmt::print(stderr, "pss: stored as run {} in {}\n", id, store->location());
        return std::nullopt;
    } catch (const ci::HistoryError& e) {
        return fmt::format("{}; this run was not stored (--store-history)", e.what());
    }
}

void add_history_options(CLI::App& cmd, HistoryOptions& o) {
    cmd.add_flag("--store-history", o.store, "Store this run in the history database (storage_uri, .pss/history.db)");
    cmd.add_option("--baseline-branch", o.baseline_branch,
                   "Compare with the recent runs of this branch (default: this run's branch)");
    cmd.add_flag("--fail-on-regression", o.fail_on_regression, "Fail the gate when a test regressed against history");
    cmd.add_option("--db", o.db,
                   "History database: a SQLite file or postgresql://user@host:port/db (overrides storage_uri)");
}

HistorySettings history_settings(const HistoryOptions& o, const Config& config) {
    HistorySettings s;
    s.store = o.store;
    s.baseline_branch = o.baseline_branch;
    s.fail_on_regression = o.fail_on_regression;
    s.config = config.history;
    if (s.config.storage_backend == "prometheus") {
        // storage_uri is the Pushgateway (push) or the exporter's port (pull);
        // the history database is --db, else the default file.
        const std::string prometheus_uri =
            s.config.storage_uri_as_written.empty() ? s.config.storage_uri : s.config.storage_uri_as_written;
        s.config.storage_uri = HistoryConfig{}.storage_uri;
        if (s.config.storage_mode == "push") {
            s.pushgateway = prometheus_uri;
            s.store_in_database = !o.db.empty();
        }
    }
    if (!o.db.empty()) s.config.storage_uri = o.db;
    if (s.config.storage_backend == "postgresql" && !ci::is_postgres_uri(s.config.storage_uri))
        throw CommandError(exit_usage, fmt::format("storage_backend is \"postgresql\" but the history is '{}'; give "
                                                   "storage_uri (or --db) as postgresql://user@host:port/database",
                                                   s.config.storage_uri));
    s.config_hash = fingerprint(config.scoring);
    s.timing_noise_floor = config.scoring.timing_noise_floor;
    return s;
}

}  // namespace pss::cli
