// What a test process with a pss listener leaves for the runner: its progress
// file (the test running now) and its trace file (a record per finished
// test: packed, pss/record/packed_record.hpp, or NDJSON lines). pss-run gives each process files of its own and sets
// PSS_MAPPED_FILES=1, so a listener writes them through shared mappings
// (core/runtime/src/progress_file.hpp, collectors/src/mapped_file_collector.hpp);
// a listener without that support writes them as text. Both are read here,
// while the process runs and after it died, however it died.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "pss/record/trace_record.hpp"

namespace pss::runner {

// "<run>\t<test name>" of the test running now, "" when none runs (or the
// file does not exist yet). Never half a name: a mapped file is read under
// its sequence number, a text file up to its first newline or NUL.
std::string read_progress(const std::filesystem::path& file);

// Calls `line` for each complete line (without its newline) appended to a
// growing trace file since `offset`, and advances `offset` past them. Stops
// at a NUL byte: the reserved tail of a mapped file, or a record still being
// copied into it (read again next time).
void for_each_new_line(const std::filesystem::path& file, std::uintmax_t& offset,
                       const std::function<void(std::string_view)>& line);

// The test records (not blocks) in a trace file a process is writing, and
// how many of them failed: all so far, each read once where the file allows
// (`tally` keeps where the final ones end). Packed or text.
struct RecordCount {
    std::size_t tests = 0;
    std::size_t failed = 0;
};
struct RecordTally {
    std::uintmax_t offset = 0;
    RecordCount final;  // records before `offset`
    TraceRecord last;   // the record before `offset`, which the next may refer to
    bool last_read = false;
};
RecordCount count_test_records(const std::filesystem::path& file, RecordTally& tally);

// Cuts what a killed process left after its last complete record (a record
// cut short, the NUL bytes an older listener reserved ahead, a batch of a
// staged file cut short), so that readers see whole records only. Returns the length kept; nothing is done
// when the file is missing.
std::uintmax_t trim_trace_file(const std::filesystem::path& file);

}  // namespace pss::runner
