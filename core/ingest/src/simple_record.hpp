// The fast parser for simple records: a flat JSON object of ASCII keys and
// scalar values without escapes, the shape pss's listeners write. Anything
// else (nested values, escapes, non-ASCII text, a value of the wrong type,
// invalid JSON) it declines, and the caller parses the record with simdjson,
// which has the last word on what is malformed and why. On the records it
// accepts it gives exactly what the simdjson parser gives (tested on
// generated records).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "record_fields.hpp"

namespace pss::ingest {

// A key and its closing quote fit in 32 bytes.
inline constexpr std::size_t max_key_size = 31;

// A key followed by its closing quote, zero-padded: compared in place with
// the text after a key's opening quote (two 16-byte compares), it matches
// exactly that key, whatever follows.
struct QuotedKey {
    alignas(16) std::array<char, max_key_size + 1> text{};
    std::uint32_t mask = 0;  // bit i: byte i takes part
    std::size_t size = 0;    // of the key
};

class SimpleRecordParser {
public:
    // `fields`: the table, which must outlive the parser; keys of at most
    // max_key_size bytes. Fields outside `wanted` are checked as strictly
    // but not stored (nor numbers converted): they keep their defaults.
    explicit SimpleRecordParser(std::span<const RecordField> fields, FieldMask wanted = ~FieldMask{0});

    // Parses the record into `out`; the fields of the table that the record
    // does not set get their defaults. False, leaving `out` half-filled, when
    // the record is not simple. Like simdjson it needs padding: 32 readable
    // bytes past data + len.
    bool parse(const char* data, std::size_t len, TraceRecord& out);

private:
    static constexpr std::uint8_t unknown = 0xFF;

    std::span<const RecordField> fields_;
    std::vector<QuotedKey> keys_;
    FieldMask wanted_;
    // The field whose key followed each field's in the last record (at
    // index fields_.size(): the first key), or `unknown`. The records of a
    // file usually list the same keys in the same order, so that key is
    // tried first, without scanning the key or searching the table.
    std::array<std::uint8_t, max_fields + 1> next_key_;
};

// One record with a parser made for the call (tests).
bool parse_simple_record(const char* data, std::size_t len, std::span<const RecordField> fields, TraceRecord& out);

}  // namespace pss::ingest
