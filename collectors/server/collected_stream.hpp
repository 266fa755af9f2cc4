// What the readers of collected records share (pss merge --from, pss
// analyze --from, pss collect): one run's records picked out of a stream of
// many, a record delivered twice (a batch retried after a lost reply) kept
// once, and the control records that say how many records each process
// dropped turned into one line for the results.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace pss::collect {

// One entry as a collector delivered it.
struct CollectedEntry {
    std::string_view json;  // a trace record, or {"pss_control": ...}
    std::string_view source;
    std::uint64_t seq = 0;  // 0: unknown (no de-duplication)
    std::string_view run_id;
};

bool is_control_record(std::string_view json);

class CollectedRun {
public:
    // Only entries of `run_id` are kept; empty keeps every run.
    explicit CollectedRun(std::string run_id) : run_id_(std::move(run_id)) {}

    // False when the entry was skipped (another run, a duplicate).
    bool add(const CollectedEntry& entry);

    const std::string& run_id() const { return run_id_; }
    // The run's trace records, one NDJSON line each: each source's records in
    // the order it made them (a pipelined batch retried after a partial
    // failure can reach a stream out of order), sources in the order first seen.
    std::string ndjson() const;
    std::uint64_t records() const { return records_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t other_runs() const { return other_runs_; }
    std::size_t sources() const { return sources_.size(); }
    // Records the run's processes reported dropped, over all of them.
    std::uint64_t dropped() const;
    // "1,204 records dropped: collector unreachable (...)" or "".
    std::string drop_note() const;
    // The run ids seen that were not asked for, for a helpful message.
    const std::map<std::string, std::uint64_t>& runs_seen() const { return runs_seen_; }

private:
    struct Drops {
        std::uint64_t dropped = 0;  // the latest cumulative count it reported
        std::string reason;
    };
    struct Source {
        std::size_t order = 0;                        // when first seen
        std::map<std::uint64_t, std::string> records;  // by sequence number: each kept once
        std::set<std::uint64_t> controls;               // sequence numbers of its control records
    };
    std::string run_id_;
    std::string unnumbered_;  // records without a sequence number (files), as read
    std::uint64_t records_ = 0, duplicates_ = 0, other_runs_ = 0;
    std::map<std::string, Source> sources_;
    // Per sender: a relay (pss collect) passes its senders' reports on with their "origin".
    std::map<std::string, Drops> drops_;
    std::map<std::string, std::uint64_t> runs_seen_;
};

}  // namespace pss::collect
