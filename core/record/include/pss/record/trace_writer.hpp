// Appends trace records to an NDJSON file, one line per record written with a
// single write(2), so a crash loses at most the record being written.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

#include "pss/record/trace_record.hpp"

namespace pss {

// The record as one line of JSON, without the trailing newline. Strings are
// escaped and invalid UTF-8 is replaced, so any test name gives valid JSON.
std::string to_json_line(const TraceRecord& record);
// The same appended to `out` (a buffer reused from record to record).
void append_json_line(std::string& out, const TraceRecord& record);
// The same written at `out`, which has json_line_bound(record) bytes of room
// (more than the line takes); returns the end of the line. For a buffer that
// is kept at its size from record to record (no resize per record).
std::size_t json_line_bound(const TraceRecord& record);
char* write_json_line(char* out, const TraceRecord& record);

class TraceWriter {
public:
    // Opens `path` for appending (creating it). Throws std::system_error with
    // the path in the message when it cannot be opened.
    explicit TraceWriter(std::string path);
    ~TraceWriter();
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    // Thread-safe; each record reaches the file in a single write(2).
    void write(const TraceRecord& record);

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    int fd_ = -1;
    std::mutex mutex_;
};

}  // namespace pss
