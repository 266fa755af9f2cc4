// The board's JSON API (pss/board/api.hpp).
#include "pss/board/api.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <tuple>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace pss::board {

namespace {

using json = nlohmann::json;

constexpr std::size_t trend_points = 30;
constexpr std::size_t max_page = 500;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

ApiAnswer error(int status, const std::string& message) { return {status, dump(json{{"error", message}})}; }

std::int64_t int_param(const Params& p, const std::string& key, std::int64_t fallback) {
    const auto it = p.find(key);
    if (it == p.end() || it->second.empty()) return fallback;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    return ec == std::errc() && end == it->second.data() + it->second.size() ? v : fallback;
}

std::string str_param(const Params& p, const std::string& key) {
    const auto it = p.find(key);
    return it == p.end() ? std::string() : it->second;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

double sub(std::uint8_t v) { return v / 200.0; }

json run_json(const Run& r, std::size_t index) {
    json verdicts = json::object();
    for (int i = 0; i < 6; ++i) verdicts[verdict_names[i]] = r.verdicts[i];
    return json{{"index", index},       {"id", r.id},         {"started_at", r.started_at}, {"branch", r.branch},
                {"commit", r.commit},   {"host", r.host},     {"source", r.source},         {"pss", r.pss},
                {"tests", r.tests},     {"gate_exit", r.gate_exit},
                {"gate", r.gate_exit == 0 ? "passed" : r.gate_exit == 1 ? "failed" : "could not run"},
                {"breakdown", {r.breakdown.timing_stability, r.breakdown.memory_stability,
                               r.breakdown.error_volatility, r.breakdown.branching_entropy,
                               r.breakdown.concurrency_chaos}},
                {"verdicts", verdicts}};
}

// The test's cell in run `run` (cells are in run order), or null.
const Cell* cell_in(const Test& t, std::uint32_t run) {
    const auto it = std::lower_bound(t.cells.begin(), t.cells.end(), run,
                                     [](const Cell& c, std::uint32_t r) { return c.run < r; });
    return it != t.cells.end() && it->run == run ? &*it : nullptr;
}

ApiAnswer summary(const Model& m) {
    std::size_t cells = 0;
    for (const Test& t : m.tests) cells += t.cells.size();
    return {200, dump(json{{"runs", m.runs.size()},
                           {"tests", m.tests.size()},
                           {"cells", cells},
                           {"branches", m.branches},
                           {"suites", m.suites},
                           {"history", m.history_location},
                           {"traces", m.traces_location},
                           {"load_seconds", m.load_seconds},
                           {"newest_run", m.runs.empty() ? json(nullptr) : run_json(m.runs.back(), m.runs.size() - 1)}})};
}

ApiAnswer runs(const Model& m, const Params& p) {
    const auto offset = static_cast<std::size_t>(std::max<std::int64_t>(0, int_param(p, "offset", 0)));
    const auto limit = static_cast<std::size_t>(std::clamp<std::int64_t>(int_param(p, "limit", 100), 1, max_page));
    json rows = json::array();
    for (std::size_t k = offset; k < m.runs.size() && rows.size() < limit; ++k) {
        const std::size_t i = m.runs.size() - 1 - k;  // newest first
        rows.push_back(run_json(m.runs[i], i));
    }
    return {200, dump(json{{"total", m.runs.size()}, {"offset", offset}, {"runs", rows}})};
}

ApiAnswer tests(const Model& m, const Params& p) {
    if (m.runs.empty()) return {200, dump(json{{"total", 0}, {"rows", json::array()}})};
    const std::int64_t run_param = int_param(p, "run", static_cast<std::int64_t>(m.runs.size()) - 1);
    if (run_param < 0 || run_param >= static_cast<std::int64_t>(m.runs.size())) return error(400, "no such run index");
    const auto run = static_cast<std::uint32_t>(run_param);
    const std::string verdict = str_param(p, "verdict"), suite = str_param(p, "suite"), q = lower(str_param(p, "q"));
    const std::string sort = str_param(p, "sort");
    const auto offset = static_cast<std::size_t>(std::max<std::int64_t>(0, int_param(p, "offset", 0)));
    const auto limit = static_cast<std::size_t>(std::clamp<std::int64_t>(int_param(p, "limit", 100), 1, max_page));
    const int verdict_filter = verdict.empty() ? -1 : verdict_index(verdict);

    struct Row {
        std::uint32_t test;
        const Cell* cell;
    };
    std::vector<Row> rows;
    std::uint32_t counts[6] = {};
    for (std::uint32_t i = 0; i < m.tests.size(); ++i) {
        const Test& t = m.tests[i];
        const Cell* c = cell_in(t, run);
        if (c == nullptr) continue;
        if (!suite.empty() && t.suite != suite) continue;
        if (!q.empty() && lower(t.name).find(q) == std::string::npos && lower(t.suite).find(q) == std::string::npos)
            continue;
        ++counts[c->verdict];
        if (verdict_filter >= 0 && c->verdict != verdict_filter) continue;
        rows.push_back({i, c});
    }
    auto by_name = [&](const Row& a, const Row& b) {
        const Test &x = m.tests[a.test], &y = m.tests[b.test];
        return std::tie(x.suite, x.name) < std::tie(y.suite, y.name);
    };
    // Worst first by default: the verdict's severity, then the PSS.
    static constexpr int severity[6] = {5, 3, 1, 0, 2, 4};
    std::function<bool(const Row&, const Row&)> less;
    if (sort == "name") less = by_name;
    else if (sort == "pss") less = [&](const Row& a, const Row& b) { return a.cell->pss != b.cell->pss ? a.cell->pss < b.cell->pss : by_name(a, b); };
    else if (sort == "p95") less = [&](const Row& a, const Row& b) { return a.cell->p95 != b.cell->p95 ? a.cell->p95 > b.cell->p95 : by_name(a, b); };
    else
        less = [&](const Row& a, const Row& b) {
            const int sa = severity[a.cell->verdict], sb = severity[b.cell->verdict];
            if (sa != sb) return sa < sb;
            return a.cell->pss != b.cell->pss ? a.cell->pss < b.cell->pss : by_name(a, b);
        };
    const std::size_t end = std::min(rows.size(), offset + limit);
    if (offset < rows.size())
        std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(end), rows.end(), less);
    json out_rows = json::array();
    for (std::size_t k = offset; k < end; ++k) {
        const Test& t = m.tests[rows[k].test];
        const Cell& c = *rows[k].cell;
        json trend = json::array();
        const auto upto = static_cast<std::size_t>(&c - t.cells.data()) + 1;
        for (std::size_t j = upto > trend_points ? upto - trend_points : 0; j < upto; ++j) trend.push_back(t.cells[j].pss);
        out_rows.push_back(json{{"id", rows[k].test}, {"name", t.name}, {"suite", t.suite}, {"binary", t.binary},
                                {"verdict", verdict_names[c.verdict]}, {"pss", c.pss}, {"runs", c.runs},
                                {"failures", c.failures}, {"p50", c.p50}, {"p95", c.p95}, {"trend", trend}});
    }
    json verdict_counts = json::object();
    for (int i = 0; i < 6; ++i) verdict_counts[verdict_names[i]] = counts[i];
    return {200, dump(json{{"run", run_json(m.runs[run], run)}, {"total", rows.size()}, {"offset", offset},
                           {"counts", verdict_counts}, {"rows", out_rows}})};
}

// Shannon entropy (bits) of the branch tags in the window of `window` runs ending at each run.
json entropy_over_runs(const TraceDetail& d, std::size_t window) {
    json out = json::array();
    std::map<std::uint32_t, std::size_t> counts;
    for (std::size_t i = 0; i < d.branch.size(); ++i) {
        ++counts[d.branch[i]];
        if (i >= window && --counts[d.branch[i - window]] == 0) counts.erase(d.branch[i - window]);
        const double n = static_cast<double>(std::min(i + 1, window));
        double h = 0;
        for (const auto& [tag, count] : counts) {
            const double q = static_cast<double>(count) / n;
            h -= q * std::log2(q);
        }
        out.push_back(std::round(h * 1000) / 1000);
    }
    return out;
}

ApiAnswer test(const Model& m, const Params& p) {
    const std::int64_t id = int_param(p, "id", -1);
    if (id < 0 || id >= static_cast<std::int64_t>(m.tests.size())) return error(404, "no such test");
    const Test& t = m.tests[static_cast<std::size_t>(id)];
    json history = json::array();
    for (const Cell& c : t.cells) {
        const Run& r = m.runs[c.run];
        history.push_back(json{{"run", c.run}, {"id", r.id}, {"t", r.started_at}, {"branch", r.branch},
                               {"pss", c.pss}, {"sub", {sub(c.sub[0]), sub(c.sub[1]), sub(c.sub[2]), sub(c.sub[3]), sub(c.sub[4])}},
                               {"verdict", verdict_names[c.verdict]}, {"runs", c.runs}, {"failures", c.failures},
                               {"p50", c.p50}, {"p95", c.p95}});
    }
    json out{{"id", id}, {"name", t.name}, {"suite", t.suite}, {"module", t.module}, {"binary", t.binary},
             {"file", t.file}, {"line", t.line}, {"history", history}};
    if (t.detail >= 0) {
        const TraceDetail& d = m.details[static_cast<std::size_t>(t.detail)];
        json failures = json::array();
        for (const Failure& f : d.failures) {
            json lines = json::array();
            for (const auto& [n, text] : source_lines(f.file, f.line)) lines.push_back(json::array({n, text}));
            failures.push_back(json{{"run", f.run + 1}, {"type", f.type}, {"message", f.message}, {"file", f.file},
                                    {"line", f.line}, {"source", lines}});
        }
        json metrics = json::array();
        for (const MetricStability& s : d.metrics)
            metrics.push_back(json{{"name", s.name}, {"runs", s.runs}, {"mean", s.mean}, {"cv", s.cv},
                                   {"score", s.score}, {"weight", s.weight}});
        out["trace"] = json{{"durations", d.durations}, {"memory", d.memory}, {"failed", d.failed},
                            {"branch", d.branch},       {"tags", d.branch_tags}, {"entropy", entropy_over_runs(d, 20)},
                            {"failures", failures},     {"metrics", metrics}};
    }
    return {200, dump(out)};
}

ApiAnswer compare(const Model& m, const Params& p) {
    const std::string branch = str_param(p, "branch"), baseline = str_param(p, "baseline");
    if (branch.empty() || baseline.empty()) return error(400, "give branch and baseline");
    const auto limit = static_cast<std::size_t>(std::clamp<std::int64_t>(int_param(p, "limit", 200), 1, max_page));
    std::vector<std::uint8_t> on_branch(m.runs.size()), on_baseline(m.runs.size());
    for (std::size_t i = 0; i < m.runs.size(); ++i) {
        on_branch[i] = m.runs[i].branch == branch;
        on_baseline[i] = m.runs[i].branch == baseline;
    }
    struct Row {
        std::uint32_t test;
        int now, base;
        std::uint8_t verdict, base_verdict;
    };
    std::vector<Row> rows;
    std::size_t only_branch = 0, only_baseline = 0;
    for (std::uint32_t i = 0; i < m.tests.size(); ++i) {
        const Test& t = m.tests[i];
        const Cell *a = nullptr, *b = nullptr;
        for (auto it = t.cells.rbegin(); it != t.cells.rend() && (a == nullptr || b == nullptr); ++it) {
            if (a == nullptr && on_branch[it->run]) a = &*it;
            if (b == nullptr && on_baseline[it->run]) b = &*it;
        }
        if (a && b) rows.push_back({i, a->pss, b->pss, a->verdict, b->verdict});
        else if (a) ++only_branch;
        else if (b) ++only_baseline;
    }
    std::size_t worse = 0, better = 0;
    for (const Row& r : rows) {
        worse += r.now < r.base;
        better += r.now > r.base;
    }
    const std::size_t n = std::min(limit, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(), [&](const Row& x, const Row& y) {
        const int dx = x.now - x.base, dy = y.now - y.base;
        if (dx != dy) return dx < dy;
        return m.tests[x.test].name < m.tests[y.test].name;
    });
    json out_rows = json::array();
    for (std::size_t k = 0; k < n; ++k) {
        const Row& r = rows[k];
        out_rows.push_back(json{{"id", r.test}, {"name", m.tests[r.test].name}, {"suite", m.tests[r.test].suite},
                                {"pss", r.now}, {"baseline_pss", r.base}, {"change", r.now - r.base},
                                {"verdict", verdict_names[r.verdict]}, {"baseline_verdict", verdict_names[r.base_verdict]}});
    }
    return {200, dump(json{{"branch", branch}, {"baseline", baseline}, {"compared", rows.size()}, {"worse", worse},
                           {"better", better}, {"only_branch", only_branch}, {"only_baseline", only_baseline},
                           {"rows", out_rows}})};
}

}  // namespace

std::vector<std::pair<std::int64_t, std::string>> source_lines(const std::string& file, std::int64_t line,
                                                               int context) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    if (file.empty() || line <= 0) return out;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec) || std::filesystem::file_size(file, ec) > (8u << 20) || ec)
        return out;
    std::ifstream in(file);
    std::string text;
    for (std::int64_t n = 1; std::getline(in, text) && n <= line + context; ++n)
        if (n >= line - context) out.emplace_back(n, text.substr(0, 400));
    return out;
}

std::optional<ApiAnswer> answer_api(const Model& model, const std::string& path, const Params& params) {
    if (path == "/api/summary") return summary(model);
    if (path == "/api/runs") return runs(model, params);
    if (path == "/api/tests") return tests(model, params);
    if (path == "/api/test") return test(model, params);
    if (path == "/api/compare") return compare(model, params);
    return std::nullopt;
}

}  // namespace pss::board
