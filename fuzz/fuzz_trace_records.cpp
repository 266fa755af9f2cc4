// Fuzz target: trace records. The bytes are a trace file (NDJSON, a JSON
// array, pypss's {"traces": [...]}; plain, gzip or zstd) read by the streaming
// reader into the Analyzer, scored, judged, advised on and rendered as
// `pss analyze` does, so that hostile numbers reach the scoring too.
// Contract: a bad input is counted as malformed or ends in TraceFileError;
// nothing else may escape, crash or trip a sanitizer; every score is in range
// (score_checks.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pss/ingest/trace_reader.hpp"
#include "pss/reports/analysis_report.hpp"
#include "pss/scoring/advisor.hpp"
#include "pss/scoring/analyzer.hpp"
#include "score_checks.hpp"

namespace {

void analyze(std::string_view text, const pss::ReadOptions& read, const pss::AnalyzerOptions& limits) {
    pss::Analyzer analyzer(limits);
    pss::ReadStats stats;
    try {
        stats = pss::read_trace_text(text, [&](const pss::TraceRecord& r) { analyzer.add(r); }, read);
    } catch (const pss::TraceFileError&) {
        return;  // not a trace file at all: pss analyze says so
    }
    (void)stats.warning();
    pss::VerdictConfig verdicts;
    const pss::Analysis analysis = analyzer.finish(pss::ScoringConfig{}, verdicts);
    pss::fuzz::check_scores(analysis);
    const pss::Advice advice = pss::advise(analysis.overall.score, pss::AdvisorConfig{});
    const pss::reports::AnalysisReport report{analysis, advice, stats, "fuzz.ndjson", {}};
    (void)pss::reports::render_analysis_text(report);
    (void)pss::reports::render_analysis_json(report);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // As pss analyze reads: default blocks, only the fields the Analyzer uses,
    // every sample kept.
    pss::ReadOptions as_analyze;
    as_analyze.fields.assign(pss::Analyzer::fields_read().begin(), pss::Analyzer::fields_read().end());
    analyze(text, as_analyze, pss::AnalyzerOptions{});

    // The smallest blocks and record cap, all fields, and a sample cap of 4:
    // records cross block boundaries, hit the length cap, and groups switch
    // to sketches within a short input.
    pss::ReadOptions small;
    small.block_bytes = 64;
    small.max_record_bytes = 64 + size % 256;
    pss::AnalyzerOptions sketches;
    sketches.sample_cap = 4;
    sketches.keep_series = true;
    sketches.series_cap = 3;
    analyze(text, small, sketches);
    return 0;
}
