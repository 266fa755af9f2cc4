// The fields of a trace record as a table: the JSON key and the member it
// fills. What a value may be follows from the member's type:
//   std::string                 a string, or null (absent)
//   double, std::int64_t        a number, or null (absent)
//   bool                        any scalar, read as Python's truth value (pypss's "error")
//   std::optional<std::string>  a string; anything else means "none" (pypss's branch_tag)
//   std::optional<double>       the "lag" of a {"metadata": {...}} object (pypss system records)
// Both record parsers (simdjson's and the fast one for simple records) read
// this one table, so a new field is one more row (in trace_reader.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "pss/trace.hpp"

namespace pss::ingest {

using FieldTarget = std::variant<std::string TraceRecord::*, double TraceRecord::*, std::int64_t TraceRecord::*,
                                 bool TraceRecord::*, std::optional<std::string> TraceRecord::*,
                                 std::optional<double> TraceRecord::*>;

struct RecordField {
    std::string_view key;
    FieldTarget target;
};

// The table both parsers read: every field of TraceRecord (trace_reader.cpp).
std::span<const RecordField> trace_record_fields();

// The index of `key` in `fields`, or -1 for an unknown key. Records usually
// list their keys in the same order, so the search starts at the field after
// the previous match (`hint`, updated) and wraps around.
inline int find_field(std::span<const RecordField> fields, std::string_view key, int& hint) {
    const int n = static_cast<int>(fields.size());
    if (hint < 0 || hint >= n) hint = 0;
    for (int k = 0; k < n; ++k) {
        int i = hint + k;
        if (i >= n) i -= n;
        if (fields[static_cast<std::size_t>(i)].key == key) {
            hint = i + 1;
            return i;
        }
    }
    return -1;
}

// Parses a record that is a flat JSON object of ASCII keys and scalar values
// without escapes, the shape pss's listeners write, into `out`. Returns false,
// leaving `out` half-filled, for anything else: nested values, escapes,
// non-ASCII text, a value of the wrong type, invalid JSON. The caller then
// parses the record with simdjson, which has the last word on what is
// malformed and why. On the records it accepts it gives exactly what the
// simdjson parser gives (tested on generated records). Like simdjson it needs
// padding: 16 readable bytes past data + len.
bool parse_simple_record(const char* data, std::size_t len, std::span<const RecordField> fields, TraceRecord& out);

}  // namespace pss::ingest
