// The fields of a trace record as a table: the JSON key and the member it
// fills. What a value may be follows from the member's type:
//   std::string                 a string, or null (absent)
//   double, std::int64_t        a number, or null (absent)
//   bool                        any scalar, read as Python's truth value (pypss's "error")
//   std::optional<std::string>  a string; anything else means "none" (pypss's branch_tag)
//   std::optional<double>       the "lag" of a {"metadata": {...}} object (pypss system records)
//   std::vector<RecordMetric>   an object of numbers ({"cache.hits": 3}), or null
// Both record parsers (simdjson's and the fast one for simple records) read
// this one table, so a new field is one more row (in trace_reader.cpp).
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "pss/record/trace_record.hpp"

namespace pss::ingest {

using FieldTarget = std::variant<std::string TraceRecord::*, double TraceRecord::*, std::int64_t TraceRecord::*,
                                 bool TraceRecord::*, std::optional<std::string> TraceRecord::*,
                                 std::optional<double> TraceRecord::*, std::vector<RecordMetric> TraceRecord::*>;

struct RecordField {
    std::string_view key;
    FieldTarget target;
    // A null here makes the record malformed instead of reading as absent:
    // the fields scoring cannot do without (pypss leaves such records out).
    bool null_is_malformed = false;
};

// A set of fields of a table: bit i is fields[i]. Tables have at most 32 rows.
using FieldMask = std::uint32_t;
inline constexpr std::size_t max_fields = 32;

inline FieldMask fields_of(std::span<const RecordField> fields) {
    return fields.size() >= max_fields ? ~FieldMask{0} : (FieldMask{1} << fields.size()) - 1;
}

// Gives the field its default value (what a record without it reads as);
// strings keep their buffers for the next record.
inline void reset_field(const RecordField& field, TraceRecord& r) {
    std::visit(
        [&](auto member) {
            using T = std::remove_reference_t<decltype(r.*member)>;
            if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<RecordMetric>>) {
                (r.*member).clear();
            } else {
                r.*member = T{};
            }
        },
        field.target);
}

inline void reset_fields(std::span<const RecordField> fields, FieldMask which, TraceRecord& r) {
    for (which &= fields_of(fields); which != 0; which &= which - 1)
        reset_field(fields[static_cast<std::size_t>(std::countr_zero(which))], r);
}

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

}  // namespace pss::ingest
