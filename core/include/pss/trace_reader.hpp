// Streaming reader of trace files: NDJSON (one record a line), a JSON array of
// records, or pypss's {"traces": [...]} object. Unknown fields are ignored; a
// malformed record is skipped and counted, never fatal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "pss/trace.hpp"

namespace pss {

enum class TraceFormat { ndjson, json_array, pypss_object };

struct ReadStats {
    TraceFormat format = TraceFormat::ndjson;
    std::uint64_t records = 0;    // good records handed to the callback
    std::uint64_t malformed = 0;  // records skipped
    std::uint64_t first_malformed_line = 0;  // 1-based
    std::string first_malformed_reason;

    // "N malformed records skipped (first at line L: reason)", or empty.
    std::string warning() const;
};

// The file is missing, unreadable, or not a trace file at all.
class TraceFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using RecordSink = std::function<void(const TraceRecord&)>;

// Reads `path`, calling `sink` for every good record in file order.
ReadStats read_trace_file(const std::filesystem::path& path, const RecordSink& sink);

// The same for text already in memory (tests, stdin).
ReadStats read_trace_text(std::string_view text, const RecordSink& sink);

}  // namespace pss
