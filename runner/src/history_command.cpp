// pss history: the stored runs, or one test's trend, as a table, CSV or JSON.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/ci/history_store.hpp"
#include "pss/ci/history_transfer.hpp"
#include "pss/ci/sqlite_history.hpp"
#include "pss/config/config.hpp"

namespace pss::cli {

namespace {

struct HistoryQuery {
    std::size_t limit = 10;
    std::optional<double> days;
    std::string test, branch, format, db;
    bool limit_given = false;
    std::string import_file;
    std::optional<std::string> config_file;
};

std::string local_time(double epoch) {
    const auto t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

// Direction against the next older row: rows come newest first.
template <class Row>
std::string trend(const std::vector<Row>& rows, std::size_t i) {
    if (i + 1 >= rows.size()) return " ";
    const int d = rows[i].pss - rows[i + 1].pss;
    return d > 0 ? "↑" : d < 0 ? "↓" : "→";
}

std::string csv(std::string_view field) {
    if (field.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(field);
    std::string out = "\"";
    for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

nlohmann::ordered_json scores_json(const SubScores& s) {
    return {{"ts", s.timing_stability}, {"ms", s.memory_stability}, {"ev", s.error_volatility},
            {"be", s.branching_entropy}, {"cc", s.concurrency_chaos}};
}

int print_runs(const std::vector<ci::StoredRun>& runs, const std::string& format) {
    if (format == "json") {
        auto arr = nlohmann::ordered_json::array();
        for (const auto& r : runs)
            arr.push_back({{"id", r.id}, {"timestamp", r.started_at}, {"commit", r.context.commit},
                           {"branch", r.context.branch}, {"ci_run_id", r.context.ci_run_id}, {"host", r.context.host},
                           {"source", r.context.source}, {"pss", r.pss}, {"breakdown", scores_json(r.breakdown)},
                           {"tests", r.tests}, {"gate_exit", r.gate_exit}});
        fmt::print("{}\n", arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return exit_ok;
    }
    if (format == "csv") {
        fmt::print("id,timestamp,commit,branch,ci_run_id,host,pss,ts,ms,ev,be,cc,tests,gate_exit\n");
        for (const auto& r : runs)
            fmt::print("{},{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{},{}\n", r.id, r.started_at,
                       csv(r.context.commit), csv(r.context.branch), csv(r.context.ci_run_id), csv(r.context.host),
                       r.pss, r.breakdown.timing_stability, r.breakdown.memory_stability, r.breakdown.error_volatility,
                       r.breakdown.branching_entropy, r.breakdown.concurrency_chaos, r.tests, r.gate_exit);
        return exit_ok;
    }
    fmt::print("{:<19}  {:<10}  {:<16}  {:>3}  {:>5}  {:>4}  {:>4}  {:>4}  {:>4}  {:>4}  {:>5}  {}\n", "TIME", "COMMIT",
               "BRANCH", "PSS", "TREND", "TS", "MS", "EV", "BE", "CC", "TESTS", "GATE");
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& r = runs[i];
        fmt::print("{:<19}  {:<10}  {:<16}  {:>3}  {:>5}  {:>4.2f}  {:>4.2f}  {:>4.2f}  {:>4.2f}  {:>4.2f}  {:>5}  {}\n",
                   local_time(r.started_at), r.context.commit.substr(0, 10), r.context.branch.substr(0, 16), r.pss,
                   trend(runs, i), r.breakdown.timing_stability, r.breakdown.memory_stability,
                   r.breakdown.error_volatility, r.breakdown.branching_entropy, r.breakdown.concurrency_chaos, r.tests,
                   r.gate_exit == 0 ? "passed" : "failed");
    }
    return exit_ok;
}

int print_test(const std::string& name, const std::vector<ci::StoredTest>& rows, const std::string& format) {
    if (format == "json") {
        auto arr = nlohmann::ordered_json::array();
        for (const auto& t : rows)
            arr.push_back({{"run_id", t.run_id}, {"timestamp", t.started_at}, {"commit", t.commit},
                           {"branch", t.branch}, {"name", t.name}, {"module", t.module}, {"pss", t.pss},
                           {"breakdown", scores_json(t.breakdown)}, {"verdict", t.verdict}, {"runs", t.runs},
                           {"failures", t.failures}, {"p50", t.p50}, {"p95", t.p95}, {"durations", t.durations}});
        fmt::print("{}\n", arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
        return exit_ok;
    }
    if (format == "csv") {
        fmt::print("run_id,timestamp,commit,branch,name,module,pss,verdict,runs,failures,p50,p95\n");
        for (const auto& t : rows)
            fmt::print("{},{},{},{},{},{},{},{},{},{},{},{}\n", t.run_id, t.started_at, csv(t.commit), csv(t.branch),
                       csv(t.name), csv(t.module), t.pss, t.verdict, t.runs, t.failures, t.p50, t.p95);
        return exit_ok;
    }
    fmt::print("Trend of {}\n", name);
    fmt::print("{:<19}  {:<10}  {:<16}  {:>3}  {:>5}  {:<9}  {:>5}  {:>6}  {:>10}  {:>10}\n", "TIME", "COMMIT", "BRANCH",
               "PSS", "TREND", "VERDICT", "RUNS", "FAILED", "P50", "P95");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& t = rows[i];
        fmt::print("{:<19}  {:<10}  {:<16}  {:>3}  {:>5}  {:<9}  {:>5}  {:>6}  {:>8.3f}ms  {:>8.3f}ms\n",
                   local_time(t.started_at), t.commit.substr(0, 10), t.branch.substr(0, 16), t.pss, trend(rows, i),
                   t.verdict, t.runs, t.failures, t.p50 * 1e3, t.p95 * 1e3);
    }
    return exit_ok;
}

// pss history --import FILE: the runs of an export into this history.
int import_runs(const std::string& db, const std::string& file) {
    std::ifstream in(file);
    if (!in)
        throw CommandError(exit_cannot_run, fmt::format("cannot read '{}': {}. Give a file written by pss history "
                                                        "--export history.",
                                                        file, std::strerror(errno)));
    try {
        const auto store = ci::open_history_store(db);
        const auto count = ci::import_history(*store, in, file);
        fmt::print("Imported {} runs ({} test results) into {}{}.\n", count.runs, count.tests, store->location(),
                   count.skipped ? fmt::format("; {} runs were there already and were skipped", count.skipped) : "");
        return exit_ok;
    } catch (const ci::HistoryError& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
}

int run_history(const HistoryQuery& opt) {
    std::optional<std::filesystem::path> explicit_config;
    if (opt.config_file) explicit_config = *opt.config_file;
    const Config config = resolve_config(explicit_config);
    for (const auto& w : config.warnings) print_warning(w);
    const std::string db = opt.db.empty() ? config.history.storage_uri : opt.db;
    if (!opt.import_file.empty()) return import_runs(db, opt.import_file);

    if (!ci::history_may_exist(db)) {
        if (opt.format.empty())
            fmt::print("No history in '{}' yet. Store runs with pss-run --store-history (or pss analyze "
                       "--store-history).\n",
                       db);
        else if (opt.format == "history")
            ci::export_history(ci::SqliteHistory(":memory:"), {}, std::cout);  // the header alone
        else
            return opt.test.empty() ? print_runs({}, opt.format) : print_test(opt.test, {}, opt.format);
        return exit_ok;
    }
    try {
        const auto store_ptr = ci::open_history_store(db);
        const ci::HistoryStore& store = *store_ptr;
        ci::RunQuery q;
        q.limit = opt.limit;
        if (opt.format == "history") {
            if (!opt.limit_given) q.limit = SIZE_MAX;  // a move to another database takes everything
            if (!opt.branch.empty()) q.branch = opt.branch;
            const auto count = ci::export_history(store, q, std::cout);
            fmt::print(stderr, "pss: exported {} runs ({} test results) from {}\n", count.runs, count.tests,
                       store.location());
            return exit_ok;
        }
        if (opt.days)
            q.since = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
                      *opt.days * 86400.0;
        if (!opt.branch.empty()) q.branch = opt.branch;
        if (!opt.test.empty()) return print_test(opt.test, store.test_history(opt.test, q), opt.format);
        return print_runs(store.runs(q), opt.format);
    } catch (const ci::HistoryError& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
}

}  // namespace

CommandRunner add_history_command(CLI::App& app) {
    auto opt = std::make_shared<HistoryQuery>();
    CLI::App* cmd = app.add_subcommand("history", "Show stored runs, or one test's trend");
    cmd->add_option("--limit", opt->limit, "Rows to show (default 10)")->check(CLI::Range(1, 10000000));
    cmd->add_option("--days", opt->days, "Only the last D days")->check(CLI::PositiveNumber);
    cmd->add_option("--test", opt->test, "One test's trend (its name, e.g. Suite.Test)");
    cmd->add_option("--branch", opt->branch, "Only runs on this branch");
    cmd->add_option("--export", opt->format,
                    "Print CSV or JSON instead of the table; 'history': every run with its tests, for --import "
                    "into another database")
        ->check(CLI::IsMember({"csv", "json", "history"}));
    cmd->add_option("--import", opt->import_file,
                    "Store the runs of a 'pss history --export history' file in this history (runs it has are skipped)");
    cmd->add_option("--db", opt->db,
                    "History: a SQLite file or postgresql://user@host:port/db (default: storage_uri from pss.toml, "
                    ".pss/history.db)");
    cmd->add_option("--config", opt->config_file, "Config file (default: $PSS_CONFIG, or pss.toml found upward)");
    return [cmd, opt]() -> int {
        if (!cmd->parsed()) return -1;
        opt->limit_given = cmd->count("--limit") > 0;
        return run_history(*opt);
    };
}

}  // namespace pss::cli
