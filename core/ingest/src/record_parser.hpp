// Turns the text of one record into a TraceRecord, or says briefly why it is
// malformed. Defined in trace_reader.cpp, next to the table of fields.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pss/record/trace_record.hpp"
#include "record_fields.hpp"

namespace pss::ingest {

// What no parser can see in a single value: a record must name its test, and
// a duration cannot be negative. False with `why` otherwise.
bool valid_record(const TraceRecord& r, std::string& why);

// Bytes that must be readable past the end of a record's text (simdjson's padding).
inline constexpr std::size_t parse_padding = 64;

// The fields of TraceRecord to fill, by JSON key (ReadOptions::fields), as a
// mask of trace_record_fields(); no keys: all. Throws std::invalid_argument
// for a key that is no field.
FieldMask field_mask(std::span<const std::string_view> keys);

class RecordParser {
public:
    // `fast_path`: read simple records (flat, ASCII, no escapes) without
    // simdjson first; off only to compare the two in tests. `fields`: a
    // field_mask(); the other fields are checked as strictly but left at
    // their defaults.
    explicit RecordParser(bool fast_path = true, FieldMask fields = ~FieldMask{0});
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
