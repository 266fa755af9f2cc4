// Turns the text of one record into a TraceRecord, or says briefly why it is
// malformed. Defined in trace_reader.cpp, next to the table of fields.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "pss/trace.hpp"

namespace pss::ingest {

// Bytes that must be readable past the end of a record's text (simdjson's padding).
inline constexpr std::size_t parse_padding = 64;

class RecordParser {
public:
    // `fast_path`: read simple records (flat, ASCII, no escapes) without
    // simdjson first; off only to compare the two in tests.
    explicit RecordParser(bool fast_path = true);
    ~RecordParser();
    RecordParser(const RecordParser&) = delete;
    RecordParser& operator=(const RecordParser&) = delete;

    // `capacity`: bytes readable from `data`, at least len + parse_padding.
    // Reuses `out`'s strings; every field is reset first.
    bool parse(const char* data, std::size_t len, std::size_t capacity, TraceRecord& out, std::string& why);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pss::ingest
