// Fuzz target: pss.toml. The bytes are a config file, parsed as `--config`
// loads one; what it accepts then scores a small fixed set of runs with its
// constants, so that every value the checks let through is one the formulas
// can take.
// Contract: a bad file ends in ConfigError; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pss/config/config.hpp"
#include "pss/scoring/advisor.hpp"
#include "pss/scoring/analyzer.hpp"
#include "score_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    pss::Config config;
    try {
        config = pss::parse_config(text, "/fuzz/pss.toml");
    } catch (const pss::ConfigError&) {
        return 0;
    }
    pss::Analyzer analyzer;
    for (int run = 1; run <= 12; ++run) {
        pss::TraceRecord r;
        r.name = run % 3 ? "Suite.Stable" : "Suite.Flaky";
        r.module = "fuzz";
        r.run = run;
        r.duration = 0.001 * (1 + run % 5);
        r.cpu_time = r.duration * 0.9;
        r.memory = 1000.0 * run;
        r.error = run % 4 == 0;
        r.branch_tag = run % 2 ? "a" : "b";
        analyzer.add(r);
    }
    pss::VerdictConfig verdicts;
    verdicts.fail_below = static_cast<int>(config.runner.fail_below);
    const pss::Analysis analysis = analyzer.finish(config.scoring, verdicts);
    pss::fuzz::check_scores(analysis);
    (void)pss::advise(analysis.overall.score, config.advisor);
    return 0;
}
