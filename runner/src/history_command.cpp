// pss history: the stored runs, or one test's trend, as a table, CSV or JSON.
#include <unistd.h>

#include <algorithm>
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

#include "cli_errors.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "history_step.hpp"
#include "pss/ci/history_store.hpp"
#include "pss/ci/history_transfer.hpp"
#include "pss/ci/sqlite_history.hpp"
#include "pss/config/config.hpp"
#include "pss/text/escape.hpp"
#include "pss/text/format.hpp"
#include "pss/text/width.hpp"

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
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

// U+2581..U+2588: one block per value, scaled between the lowest and the
// highest value shown; a range under 10 points is widened around its middle,
// so small noise stays flat.
std::string sparkline(const std::vector<int>& values, int low, int high) {
    static const char* const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
    if (high - low < 10) {
        low = (low + high) / 2 - 5;
        high = low + 10;
    }
    std::string out;
    for (int v : values) out += blocks[std::clamp((v - low) * 8 / (high - low + 1), 0, 7)];
    return out;
}

// Each row's trend: its PSS and that of the (up to) 7 rows before it in
// time, oldest first. Rows come newest first.
std::vector<std::string> trends(const std::vector<int>& newest_first) {
    std::vector<std::string> out;
    if (newest_first.empty()) return out;
    const auto [lo, hi] = std::minmax_element(newest_first.begin(), newest_first.end());
    for (std::size_t i = 0; i < newest_first.size(); ++i) {
        std::vector<int> window;
        for (std::size_t k = std::min(newest_first.size() - 1, i + 7) + 1; k-- > i;) window.push_back(newest_first[k]);
        out.push_back(sparkline(window, *lo, *hi));
    }
    return out;
}

// "PSS of the last 5 runs, oldest first: ▃▅▆█▇  (80 -> 91)"
std::string headline(const std::vector<int>& newest_first) {
    const std::vector<int> oldest_first(newest_first.rbegin(), newest_first.rend());
    const auto [lo, hi] = std::minmax_element(oldest_first.begin(), oldest_first.end());
    return fmt::format("PSS of the last {} runs, oldest first: {}  ({} -> {})", oldest_first.size(),
                       sparkline(oldest_first, *lo, *hi), oldest_first.front(), oldest_first.back());
}

std::string weakest(const SubScores& s) {
    const std::pair<const char*, double> all[] = {{"TS", s.timing_stability},
                                                  {"MS", s.memory_stability},
                                                  {"EV", s.error_volatility},
                                                  {"BE", s.branching_entropy},
                                                  {"CC", s.concurrency_chaos}};
    const auto* w = std::min_element(std::begin(all), std::end(all),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
    return fmt::format("{} {:.2f}", w->first, w->second);
}

// A table that fits `width` columns (0: any): optional columns are dropped
// in their order until it fits; the flexible one takes what is left.
struct Column {
    std::string title;
    std::size_t width;  // 0: flexible (6 to 24 columns)
    bool right = false;
    int drop = 0;  // 0: never dropped; 1 first, then 2, ...
};

std::string render_columns(const std::vector<Column>& columns, const std::vector<std::vector<std::string>>& rows,
                           std::size_t width) {
    std::vector<bool> on(columns.size(), true);
    std::size_t flex = 6;
    for (const auto& r : rows)
        for (std::size_t c = 0; c < columns.size(); ++c)
            if (!columns[c].width) flex = std::min<std::size_t>(24, std::max(flex, text::columns(r[c])));
    auto total = [&](std::size_t flexible) {
        std::size_t n = 0, shown = 0;
        for (std::size_t c = 0; c < columns.size(); ++c)
            if (on[c]) n += (columns[c].width ? columns[c].width : flexible) + (shown++ ? 2 : 0);
        return n;
    };
    if (width) {
        for (int level = 1; total(6) > width && level < 10; ++level)
            for (std::size_t c = 0; c < columns.size(); ++c)
                if (columns[c].drop == level) on[c] = false;
        const std::size_t rest = total(0);
        flex = std::min(flex, std::max<std::size_t>(6, width > rest ? width - rest : 6));
    }
    std::string out;
    auto line = [&](auto cell) {
        std::string l;
        std::size_t shown = 0;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (!on[c]) continue;
            const std::size_t w = columns[c].width ? columns[c].width : flex;
            const std::string v = text::shorten_middle(cell(c), w);
            const std::string pad(w > text::columns(v) ? w - text::columns(v) : 0, ' ');
            l += (shown++ ? "  " : "") + (columns[c].right ? pad + v : v + pad);
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        out += l + "\n";
    };
    line([&](std::size_t c) { return columns[c].title; });
    for (const auto& r : rows) line([&](std::size_t c) { return r[c]; });
    return out;
}

constexpr const char* subscore_legend =
    "WEAKEST: the lowest of the five sub-scores (0-1, 1 is stable): TS timing, MS memory, EV errors, BE branching, "
    "CC concurrency.";

void print_legend(const std::vector<std::string>& lines, std::size_t width) {
    fmt::print("\n");
    for (const auto& l : lines)
        for (const auto& w : text::wrap(l, width ? width : 100)) fmt::print("{}\n", w);
}

std::string csv(std::string_view field) { return text::csv_field(field); }

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
    if (runs.empty()) {
        fmt::print("No stored runs match.\n");
        return exit_ok;
    }
    const std::size_t width = terminal_columns(STDOUT_FILENO);
    std::vector<int> pss;
    for (const auto& r : runs) pss.push_back(r.pss);
    const auto trend = trends(pss);
    fmt::print("{}\n\n", headline(pss));
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& r = runs[i];
        rows.push_back({std::to_string(r.id), local_time(r.started_at), r.context.commit.substr(0, 8),
                        text::display_text(r.context.branch), std::to_string(r.pss), trend[i], weakest(r.breakdown),
                        std::to_string(r.tests), r.gate_exit == 0 ? "passed" : "failed"});
    }
    fmt::print("{}", render_columns({{"RUN", 5, true},
                                     {"WHEN", 16},
                                     {"COMMIT", 8, false, 2},
                                     {"BRANCH", 0, false, 3},
                                     {"PSS", 3, true},
                                     {"TREND", 8},
                                     {"WEAKEST", 7},
                                     {"TESTS", 5, true, 1},
                                     {"GATE", 6}},
                                    rows, width));
    print_legend({"TREND: the run's PSS and that of the 7 runs before it, oldest on the left.", subscore_legend,
                  "One test's trend: pss history --test NAME. Every sub-score: --export csv or json."},
                 width);
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
    const std::size_t width = terminal_columns(STDOUT_FILENO);
    std::vector<int> pss;
    for (const auto& t : rows) pss.push_back(t.pss);
    const auto trend = trends(pss);
    fmt::print("{}\n{}\n\n", text::display_text(name), headline(pss));
    std::vector<std::vector<std::string>> table;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& t = rows[i];
        table.push_back({std::to_string(t.run_id), local_time(t.started_at), t.commit.substr(0, 8),
                         text::display_text(t.branch), std::to_string(t.pss), trend[i], t.verdict,
                         fmt::format("{}/{}", t.failures, t.runs), text::format_seconds(t.p50),
                         text::format_seconds(t.p95), weakest(t.breakdown)});
    }
    fmt::print("{}", render_columns({{"RUN", 5, true},
                                     {"WHEN", 16},
                                     {"COMMIT", 8, false, 2},
                                     {"BRANCH", 0, false, 3},
                                     {"PSS", 3, true},
                                     {"TREND", 8},
                                     {"VERDICT", 9},
                                     {"FAILED", 7, true},
                                     {"P50", 8, true},
                                     {"P95", 8, true, 4},
                                     {"WEAKEST", 7, false, 1}},
                                    table, width));
    print_legend({"RUN: the stored run (pss history lists them). FAILED: the test's failed runs / its runs.",
                  "TREND: the test's PSS in this run and the 7 runs before it, oldest on the left.", subscore_legend},
                 width);
    return exit_ok;
}

// The names of the tests in the newest stored runs, for "did you mean".
std::vector<std::string> recent_test_names(const ci::HistoryStore& store) {
    ci::RunQuery q;
    q.limit = 3;
    std::vector<std::string> names;
    for (const auto& run : store.runs(q))
        for (const auto& t : store.tests_of_run(run.id)) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
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
    const std::string db = history_database(config, opt.db);
    if (!opt.import_file.empty()) return import_runs(db, opt.import_file);

    if (!ci::history_may_exist(db)) {
        if (!opt.test.empty())
            throw CommandError(exit_cannot_run, fmt::format("no history in '{}' yet, so no trend of '{}'. Store runs "
                                                            "with pss-run --store-history.",
                                                            db, text::display_text(opt.test)));
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
        if (!opt.test.empty()) {
            const auto rows = store.test_history(opt.test, q);
            if (rows.empty())
                throw CommandError(exit_cannot_run,
                                   fmt::format("no test named '{}' in '{}'{}.{} Names are as pss-run's table shows "
                                               "them (Suite.Test).",
                                               text::display_text(opt.test), db,
                                               opt.branch.empty() ? "" : " on branch '" + opt.branch + "'",
                                               did_you_mean(opt.test, recent_test_names(store))));
            return print_test(opt.test, rows, opt.format);
        }
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
