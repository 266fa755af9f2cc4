// Streaming reader of trace files: NDJSON (one record a line), a JSON array of
// records, or pypss's {"traces": [...]} object, plain or compressed with gzip
// or zstd; also the packed records of a listener run by pss-run. Unknown fields are ignored; a malformed record is skipped and
// counted, never fatal. The file is read in blocks: memory does not grow with
// its size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pss/record/trace_record.hpp"

namespace pss {

// packed: the records a listener writes for pss-run (pss/record/packed_record.hpp).
enum class TraceFormat { ndjson, json_array, pypss_object, packed };
enum class Compression { none, gzip, zstd };

struct ReadStats {
    TraceFormat format = TraceFormat::ndjson;
    Compression compression = Compression::none;
    std::uint64_t records = 0;    // good records handed to the callback
    std::uint64_t malformed = 0;  // records skipped
    std::uint64_t first_malformed_line = 0;  // 1-based (the record's number in a packed file)
    std::string first_malformed_reason;
    std::uint64_t text_bytes = 0;  // of (decompressed) text read
    // Why the text ended before the file did: truncated or corrupt compressed
    // data. The records before that point were read.
    std::string input_problem;

    // "N malformed records skipped (first at line L: reason)", or empty.
    std::string warning() const;
};

// The file is missing, unreadable, or not a trace file at all.
class TraceFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using RecordSink = std::function<void(const TraceRecord&)>;

struct ReadProgress {
    std::uint64_t input_bytes = 0;  // of the file consumed (compressed bytes for .gz/.zst)
    std::uint64_t input_size = 0;   // of the file; 0 when unknown
    std::uint64_t records = 0;      // good records so far
    double seconds = 0;             // since reading started
};

struct ReadOptions {
    // Threads that parse blocks: 1 parses on the calling thread, 0 uses one
    // per core (at most four). Whatever the number, the sink is called on the
    // calling thread with the records in file order, so results do not depend
    // on it. Memory: about 2.5 MB per thread for blocks in flight.
    unsigned threads = 1;
    // Text per block; a record longer than this gets a block of its own.
    std::size_t block_bytes = std::size_t{1} << 20;
    // A record longer than this is skipped as malformed, read past without
    // being kept: memory stays bounded whatever the input (a line of hundreds
    // of megabytes, /dev/zero, a NUL-filled tail a crash left).
    std::size_t max_record_bytes = std::size_t{1} << 20;
    // The fields the sink reads, by JSON key ("name", "duration", ...; see
    // Analyzer::fields_read()); empty for all. The others are left at their
    // defaults, which spares converting them; every record is still checked
    // whole, so what counts as malformed does not change. An unknown key
    // throws std::invalid_argument.
    std::vector<std::string_view> fields;
    // Called on the calling thread every `progress_interval` seconds or so.
    std::function<void(const ReadProgress&)> progress;
    double progress_interval = 0.2;
};

// Reads `path`, calling `sink` for every good record in file order.
ReadStats read_trace_file(const std::filesystem::path& path, const RecordSink& sink,
                          const ReadOptions& options = {});

// The same for text already in memory (tests, stdin).
ReadStats read_trace_text(std::string_view text, const RecordSink& sink, const ReadOptions& options = {});

}  // namespace pss
