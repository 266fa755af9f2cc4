// Export and import of a whole history (pss/ci/history_transfer.hpp).
#include "pss/ci/history_transfer.hpp"

#include <algorithm>
#include <istream>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pss::ci {

namespace {

using json = nlohmann::ordered_json;

constexpr const char* format_key = "pss_history_export";
constexpr int format_version = 1;

json scores(const SubScores& s) {
    return {{"ts", s.timing_stability}, {"ms", s.memory_stability}, {"ev", s.error_volatility},
            {"be", s.branching_entropy}, {"cc", s.concurrency_chaos}};
}

SubScores scores(const json& j) {
    return {j.at("ts").get<double>(), j.at("ms").get<double>(), j.at("ev").get<double>(), j.at("be").get<double>(),
            j.at("cc").get<double>()};
}

json run_json(const StoredRun& r, const std::vector<StoredTest>& tests) {
    json t = json::array();
    for (const auto& x : tests)
        t.push_back({{"name", x.name}, {"module", x.module}, {"binary", x.binary}, {"verdict", x.verdict},
                     {"pss", x.pss}, {"breakdown", scores(x.breakdown)}, {"runs", x.runs}, {"failures", x.failures},
                     {"p50", x.p50}, {"p95", x.p95}, {"durations", x.durations}});
    const RunContext& c = r.context;
    return {{"started_at", r.started_at}, {"commit", c.commit},       {"branch", c.branch},
            {"ci_run_id", c.ci_run_id},   {"host", c.host},           {"config_hash", c.config_hash},
            {"source", c.source},         {"pss", r.pss},             {"breakdown", scores(r.breakdown)},
            {"tests", r.tests},           {"gate_exit", r.gate_exit}, {"results", std::move(t)}};
}

}  // namespace

TransferCount export_history(const HistoryStore& store, const RunQuery& query, std::ostream& out) {
    TransferCount count;
    std::vector<StoredRun> runs = store.runs(query);
    std::reverse(runs.begin(), runs.end());  // oldest first: an import keeps the order of ids
    out << json{{format_key, format_version}, {"schema_version", history_schema_version}}.dump() << '\n';
    for (const auto& r : runs) {
        const std::vector<StoredTest> tests = store.tests_of_run(r.id);
        out << run_json(r, tests).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
        ++count.runs;
        count.tests += tests.size();
    }
    out.flush();
    if (!out) throw HistoryError("cannot write the history export (disk full, or the output was closed)");
    return count;
}

TransferCount import_history(HistoryStore& store, std::istream& in, const std::string& name) {
    TransferCount count;
    std::string line;
    std::size_t number = 0;
    bool header = false;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty()) continue;
        auto fail = [&](const std::string& why) {
            return HistoryError(fmt::format("{}:{}: {}; {} runs were imported before this line (importing the file "
                                            "again skips them)",
                                            name, number, why, count.runs));
        };
        json j;
        try {
            j = json::parse(line);
        } catch (const json::exception& e) {
            throw fail(std::string("not JSON: ") + e.what());
        }
        if (!header) {
            if (!j.is_object() || !j.contains(format_key))
                throw fail("not a pss history export (write one with pss history --export history)");
            if (j.at(format_key).get<int>() > format_version)
                throw fail("written by a newer pss; import it with that version");
            header = true;
            continue;
        }
        try {
            StoredRun run;
            run.started_at = j.at("started_at").get<double>();
            run.context = {j.at("commit").get<std::string>(),      j.at("branch").get<std::string>(),
                           j.at("ci_run_id").get<std::string>(),   j.at("host").get<std::string>(),
                           j.at("config_hash").get<std::string>(), j.at("source").get<std::string>()};
            run.pss = j.at("pss").get<int>();
            run.breakdown = scores(j.at("breakdown"));
            run.tests = j.at("tests").get<std::int64_t>();
            run.gate_exit = j.at("gate_exit").get<int>();
            std::vector<StoredTest> tests;
            for (const auto& t : j.at("results")) {
                StoredTest x;
                x.started_at = run.started_at;
                x.branch = run.context.branch;
                x.commit = run.context.commit;
                x.name = t.at("name").get<std::string>();
                x.module = t.at("module").get<std::string>();
                x.binary = t.at("binary").get<std::string>();
                x.verdict = t.at("verdict").get<std::string>();
                x.pss = t.at("pss").get<int>();
                x.breakdown = scores(t.at("breakdown"));
                x.runs = t.at("runs").get<std::int64_t>();
                x.failures = t.at("failures").get<std::int64_t>();
                x.p50 = t.at("p50").get<double>();
                x.p95 = t.at("p95").get<double>();
                x.durations = t.at("durations").get<std::vector<double>>();
                tests.push_back(std::move(x));
            }
            if (store.contains(run)) {
                ++count.skipped;
                continue;
            }
            store.insert(run, tests);
            ++count.runs;
            count.tests += tests.size();
        } catch (const json::exception& e) {
            throw fail(std::string("malformed run: ") + e.what());
        }
    }
    if (!header && number == 0) throw HistoryError(fmt::format("{} is empty: nothing to import", name));
    return count;
}

}  // namespace pss::ci
