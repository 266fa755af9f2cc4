#include "pss/ingest/trace_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include <fmt/format.h>
#include <simdjson.h>

#include "byte_source.hpp"
#include "pipeline.hpp"
#include "record_fields.hpp"
#include "record_parser.hpp"
#include "pss/record/packed_record.hpp"
#include "simple_record.hpp"

namespace pss {

namespace od = simdjson::ondemand;

std::string ReadStats::warning() const {
    if (malformed == 0) return {};
    return fmt::format("{} malformed record{} skipped (first at {} {}: {})", malformed, malformed == 1 ? "" : "s",
                       format == TraceFormat::packed ? "record" : "line", first_malformed_line, first_malformed_reason);
}

namespace {

// The fields of a record (see ingest/record_fields.hpp for what each type of
// member accepts). A new field is one more row.
constexpr ingest::RecordField record_fields[] = {
    {"name", &TraceRecord::name},
    {"module", &TraceRecord::module},
    {"run", &TraceRecord::run},
    {"timestamp", &TraceRecord::timestamp},
    {"duration", &TraceRecord::duration, true},
    {"cpu_time", &TraceRecord::cpu_time},
    {"wait_time", &TraceRecord::wait_time, true},
    {"memory", &TraceRecord::memory, true},
    {"memory_diff", &TraceRecord::memory_diff},
    {"error", &TraceRecord::error},
    {"exception_type", &TraceRecord::exception_type},
    {"exception_message", &TraceRecord::exception_message},
    {"branch_tag", &TraceRecord::branch_tag},
    {"filename", &TraceRecord::filename},
    {"lineno", &TraceRecord::lineno},
    {"kind", &TraceRecord::kind},
    {"parent", &TraceRecord::parent},
    {"failure_file", &TraceRecord::failure_file},
    {"failure_line", &TraceRecord::failure_line},
    {"voluntary_context_switches", &TraceRecord::voluntary_context_switches},
    {"involuntary_context_switches", &TraceRecord::involuntary_context_switches},
    {"calls", &TraceRecord::calls},
    {"run_delay", &TraceRecord::run_delay},
    {"warmup", &TraceRecord::warmup},
    {"timing_resolution", &TraceRecord::timing_resolution},
    {"system_metric", &TraceRecord::system_metric},
    {"metadata", &TraceRecord::lag},  // {"lag": seconds, ...}
    {"metrics", &TraceRecord::metrics},  // {"cache.hits": 3, ...}
};

// Turns one JSON text into a TraceRecord; on failure says why, briefly.
class RecordParser {
public:
    RecordParser(bool fast_path, ingest::FieldMask wanted)
        : fast_path_(fast_path), wanted_(wanted), simple_(record_fields, wanted | checked_fields()) {}

    // What every record is checked by (valid()): read whatever was asked for.
    static ingest::FieldMask checked_fields() {
        ingest::FieldMask mask = 0;
        for (const std::string_view key : {std::string_view("name"), std::string_view("duration"),
                                           std::string_view("system_metric")}) {
            int hint = 0;
            mask |= ingest::FieldMask{1} << ingest::find_field(record_fields, key, hint);
        }
        return mask;
    }

    bool parse(const char* data, std::size_t len, std::size_t capacity, TraceRecord& out, std::string& why) {
        // The fast path resets what it does not set; simdjson's path reads every field.
        const bool ok = (fast_path_ && simple_.parse(data, len, out)) || parse_with_simdjson(data, len, capacity, out, why);
        if (!ok) return false;
        if (!valid(out, why)) return false;
        ingest::reset_fields(record_fields, ~wanted_, out);  // read and checked, but not asked for
        return true;
    }

    static bool valid(const TraceRecord& r, std::string& why) { return ingest::valid_record(r, why); }

private:
    bool parse_with_simdjson(const char* data, std::size_t len, std::size_t capacity, TraceRecord& out,
                             std::string& why) {
        static const TraceRecord blank{};
        out = blank;  // copy-assigning keeps the strings' buffers for the next record
        od::document doc;
        if (auto err = parser_.iterate(data, len, capacity).get(doc)) return fail(why, err);
        od::object obj;
        if (auto err = doc.get_object().get(obj)) {
            why = err == simdjson::INCORRECT_TYPE ? "not a JSON object" : simdjson::error_message(err);
            return false;
        }
        int hint = 0;
        for (auto result : obj) {
            od::field field;
            if (auto err = std::move(result).get(field)) return fail(why, err);
            std::string_view key;
            if (!plain_key(field, key))
                if (auto err = field.unescaped_key().get(key)) return fail(why, err);
            od::value value = field.value();
            if (!assign(key, value, out, why, hint)) return false;
        }
        // Past the record's closing brace only the end may remain.
        if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
            why = "unexpected content after the record";
            return false;
        }
        return true;
    }

    // A key without escapes, read in place instead of copied out unescaped.
    static bool plain_key(od::field& field, std::string_view& key) {
        const char* begin = field.key().raw();
        const char* end = begin;
        while (*end != '"') {
            if (*end == '\\') return false;
            ++end;
        }
        key = std::string_view(begin, static_cast<std::size_t>(end - begin));
        return true;
    }

    static bool fail(std::string& why, simdjson::error_code err) {
        why = fmt::format("invalid JSON ({})", simdjson::error_message(err));
        return false;
    }

    static bool type_error(std::string& why, std::string_view key, std::string_view expected) {
        why = fmt::format("field '{}' must be {}", key, expected);
        return false;
    }

    static bool is_null(od::value& v) {
        bool null = false;
        return !v.is_null().get(null) && null;
    }

    // simdjson 3.0.1 (Debian 12) misreads some numbers of 20 or more digits,
    // e.g. 0.95000000000000000000 (simdjson issue #2093, fixed in 3.6.3);
    // those are read again with std::from_chars, which rounds correctly.
    static bool read_double(od::value& v, double& out) {
        const std::string_view raw = v.raw_json_token();
        if (v.get_double().get(out)) return false;
        if (raw.size() > 19) {
            double exact = 0;
            const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), exact);
            if (ec == std::errc{} && end != raw.data()) out = exact;
        }
        return true;
    }

    static bool number(od::value& v, std::string_view key, double& out, std::string& why, bool null_ok = true) {
        if (read_double(v, out)) return true;
        if (is_null(v)) {
            if (null_ok) return true;  // null reads as absent
            why = fmt::format("field '{}' is null: a run without it cannot be scored", key);
            return false;
        }
        return type_error(why, key, "a number");
    }

    static bool integer(od::value& v, std::string_view key, std::int64_t& out, std::string& why) {
        double d = 0;
        if (!number(v, key, d, why)) return false;
        if (!(std::fabs(d) < 9.2e18)) {  // the conversion would be undefined
            why = fmt::format("field '{}' is out of range for an integer", key);
            return false;
        }
        out = static_cast<std::int64_t>(d);
        return true;
    }

    static bool text(od::value& v, std::string_view key, std::string& out, std::string& why) {
        std::string_view s;
        if (!v.get_string().get(s)) {
            out.assign(s);
            return true;
        }
        if (is_null(v)) return true;
        return type_error(why, key, "a string");
    }

    // pypss takes the truth value of "error": booleans, numbers and strings.
    static bool truth(od::value& v, std::string_view key, bool& out, std::string& why) {
        od::json_type type;
        if (auto err = v.type().get(type)) return fail(why, err);
        switch (type) {
            case od::json_type::boolean: return !v.get_bool().get(out) || type_error(why, key, "a boolean");
            case od::json_type::null: out = false; return true;
            case od::json_type::number: {
                double d = 0;
                if (!read_double(v, d)) return type_error(why, key, "a boolean");
                out = d != 0.0;
                return true;
            }
            case od::json_type::string: {
                std::string_view s;
                if (v.get_string().get(s)) return type_error(why, key, "a boolean");
                out = !s.empty();
                return true;
            }
            default: return type_error(why, key, "a boolean");
        }
    }

    static bool metadata(od::value& v, TraceRecord& out, std::string& why) {
        if (is_null(v)) return true;
        od::object obj;
        if (v.get_object().get(obj)) return type_error(why, "metadata", "an object");
        for (auto field : obj) {
            std::string_view key;
            if (auto err = field.unescaped_key().get(key)) return fail(why, err);
            if (key != "lag") continue;
            od::value lag;
            if (auto err = field.value().get(lag)) return fail(why, err);
            double d = 0;
            if (is_null(lag)) continue;
            if (!read_double(lag, d)) return type_error(why, "metadata.lag", "a number");
            out.lag = d;
        }
        return true;
    }

    // {"name": number, ...}: bounded like the writer (max_record_metrics
    // keys of at most max_record_metric_name bytes; the rest is skipped),
    // sorted by key; a value that is not a number makes the record malformed.
    static bool metrics(od::value& v, std::vector<RecordMetric>& out, std::string& why) {
        out.clear();
        if (is_null(v)) return true;
        od::object obj;
        if (v.get_object().get(obj)) return type_error(why, "metrics", "an object of numbers");
        for (auto field : obj) {
            std::string_view key;
            if (auto err = field.unescaped_key().get(key)) return fail(why, err);
            od::value value;
            if (auto err = field.value().get(value)) return fail(why, err);
            double d = 0;
            if (is_null(value)) continue;
            if (!read_double(value, d)) return type_error(why, "metrics." + std::string(key), "a number");
            if (key.empty() || key.size() > max_record_metric_name || out.size() == max_record_metrics ||
                !std::isfinite(d))
                continue;
            out.push_back({std::string(key), d});
        }
        std::sort(out.begin(), out.end(), [](const RecordMetric& a, const RecordMetric& b) { return a.name < b.name; });
        return true;
    }

    static bool assign(std::string_view key, od::value& v, TraceRecord& r, std::string& why, int& hint) {
        const int i = ingest::find_field(record_fields, key, hint);
        if (i < 0) return true;  // unknown fields are ignored
        const bool null_ok = !record_fields[static_cast<std::size_t>(i)].null_is_malformed;
        return std::visit(
            [&](auto member) -> bool {
                using T = std::remove_reference_t<decltype(r.*member)>;
                if constexpr (std::is_same_v<T, std::string>) {
                    return text(v, key, r.*member, why);
                } else if constexpr (std::is_same_v<T, double>) {
                    return number(v, key, r.*member, why, null_ok);
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    return integer(v, key, r.*member, why);
                } else if constexpr (std::is_same_v<T, bool>) {
                    return truth(v, key, r.*member, why);
                } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
                    // pypss counts only string tags; anything else means "no tag".
                    std::string_view s;
                    if (!v.get_string().get(s)) {
                        (r.*member).emplace(s);
                    } else if (!v.raw_json_token().empty() && v.raw_json_token().front() == '"') {
                        // A string simdjson cannot unescape (a lone surrogate, which Python's json
                        // reads): still a tag, known by its escaped text.
                        std::string_view raw = v.raw_json_token();
                        raw.remove_prefix(1);
                        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' ||
                                                raw.back() == '\r' || raw.back() == ',' || raw.back() == '}'))
                            raw.remove_suffix(1);
                        if (!raw.empty() && raw.back() == '"') raw.remove_suffix(1);
                        (r.*member).emplace(raw);
                    }
                    return true;
                } else if constexpr (std::is_same_v<T, std::vector<RecordMetric>>) {
                    return metrics(v, r.*member, why);
                } else {
                    return metadata(v, r, why);
                }
            },
            record_fields[static_cast<std::size_t>(i)].target);
    }

    bool fast_path_;  // simple records (flat, ASCII, no escapes) are read without simdjson first
    ingest::FieldMask wanted_;
    od::parser parser_;
    ingest::SimpleRecordParser simple_;
};

}  // namespace

// The record parser the block pipeline uses: the one above, behind a small
// interface so that simdjson stays in this file.
namespace ingest {

// What no parser can see in a single value: a record must name its test (any
// JSON object is not a record), and a duration cannot be negative.
bool valid_record(const TraceRecord& r, std::string& why) {
    if (r.system_metric) return true;
    if (r.name.empty()) {
        why = "no \"name\" or an empty one: a record names the test (or block) it is a run of";
        return false;
    }
    if (r.duration < 0) {
        why = fmt::format("field 'duration' is negative ({})", r.duration);
        return false;
    }
    return true;
}

static_assert(parse_padding >= simdjson::SIMDJSON_PADDING);

std::span<const RecordField> trace_record_fields() { return record_fields; }

static_assert(std::size(record_fields) <= max_fields);

FieldMask field_mask(std::span<const std::string_view> keys) {
    if (keys.empty()) return fields_of(record_fields);
    FieldMask mask = 0;
    for (const std::string_view key : keys) {
        int hint = 0;
        const int i = find_field(record_fields, key, hint);
        if (i < 0) throw std::invalid_argument(fmt::format("ReadOptions::fields: '{}' is no trace record field", key));
        mask |= FieldMask{1} << i;
    }
    return mask;
}

class RecordParser::Impl : public pss::RecordParser {
public:
    using pss::RecordParser::RecordParser;
};

RecordParser::RecordParser(bool fast_path, FieldMask fields) : impl_(std::make_unique<Impl>(fast_path, fields)) {}
RecordParser::~RecordParser() = default;

bool RecordParser::parse(const char* data, std::size_t len, std::size_t capacity, TraceRecord& out,
                         std::string& why) {
    return impl_->parse(data, len, capacity, out, why);
}

}  // namespace ingest

namespace {

bool is_packed(std::string_view head) {
    head = head.substr(0, packed_magic.size());
    return head == packed_magic || head == staged_magic;
}

// Packed records (a listener's file for pss-run): frames in order, read in
// blocks by `read` (bytes into the buffer given, 0 at the end), from the
// file's start. A staged file's frames are those after its staging area,
// then the staging area's (packed_record.hpp).
template <class Read>
ReadStats read_packed(Read&& read_file, const RecordSink& sink, const ReadOptions& options) {
    ReadStats stats;
    stats.format = TraceFormat::packed;
    std::string buffer;
    std::size_t start = 0;  // of the unread bytes in `buffer`
    bool more = true;
    // What the frames are read from: the file after its magic, or, in a
    // staged file, the bytes written out, then the staging area.
    std::uint64_t spill_left = UINT64_MAX;
    std::string staging;
    bool spill_cut = false;  // the file ends before the bytes its header says were written out
    auto read = [&](char* out, std::size_t n) -> std::size_t {
        if (spill_left > 0) {
            const std::size_t got = read_file(out, static_cast<std::size_t>(std::min<std::uint64_t>(n, spill_left)));
            if (spill_left == UINT64_MAX) return got;
            if (got == 0) {
                spill_cut = true;  // the staging area's frames would not follow on
                spill_left = 0;
                staging.clear();
                return 0;
            }
            spill_left -= got;
            return got;
        }
        n = std::min(n, staging.size());
        std::memcpy(out, staging.data(), n);
        staging.erase(0, n);
        return n;
    };
    auto read_more = [&] {
        buffer.erase(0, start);
        start = 0;
        const std::size_t kept = buffer.size();
        buffer.resize(kept + options.block_bytes);
        const std::size_t got = read(buffer.data() + kept, options.block_bytes);
        buffer.resize(kept + got);
        more = got > 0;
    };
    while (more && buffer.size() < packed_magic.size()) read_more();
    if (!is_packed(buffer)) return stats;
    start = packed_magic.size();
    if (buffer.compare(0, staged_magic.size(), staged_magic) == 0) {
        spill_left = 0;  // the header and staging area first, from the file alone
        auto read_whole = [&](std::size_t n) {
            while (buffer.size() < n) {
                const std::size_t kept = buffer.size();
                buffer.resize(n);
                const std::size_t got = read_file(buffer.data() + kept, n - kept);
                buffer.resize(kept + got);
                if (got == 0) return false;
            }
            return true;
        };
        StagedHeader header;
        if (!read_whole(staged_header_bytes) || !read_staged_header(buffer, header) ||
            !read_whole(static_cast<std::size_t>(header.spill_offset()))) {
            stats.input_problem = "the packed file's header is damaged or cut short";
            return stats;
        }
        if (header.staging_current())
            staging = buffer.substr(staged_header_bytes, header.staging_bytes);
        // Bytes read past the staging area are the first written out; past
        // those, a batch cut short by a crash.
        const auto offset = static_cast<std::size_t>(header.spill_offset());
        const auto kept = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size() - offset, header.spilled));
        buffer.resize(offset + kept);
        buffer.erase(0, offset);
        start = 0;
        spill_left = header.spilled - kept;
        more = true;
    }
    std::uint64_t number = 0;
    TraceRecord record;  // the previous frame's, which the next may refer to
    bool previous_read = false;
    auto malformed = [&](std::string why) {
        if (stats.malformed++ == 0) {
            stats.first_malformed_line = number;
            stats.first_malformed_reason = std::move(why);
        }
    };
    for (;;) {
        const PackedWalk walk = walk_packed_frames(buffer, start, options.max_record_bytes, [&](std::string_view bytes) {
            ++number;
            std::string_view why;
            std::string invalid;
            previous_read = unpack_record(bytes, record, previous_read, why);
            if (!previous_read || !ingest::valid_record(record, invalid)) {
                malformed(why.empty() ? invalid : std::string(why));
                return;
            }
            ++stats.records;
            sink(record);
        });
        stats.text_bytes += walk.offset - start;
        start = walk.offset;
        if (walk.oversized != 0) {
            // Skipped, read past without being kept: memory stays bounded.
            ++number;
            previous_read = false;
            malformed(fmt::format("a record of {} bytes, over the limit of {}", walk.oversized,
                                  options.max_record_bytes));
            std::size_t skip = 4 + std::size_t{walk.oversized};
            stats.text_bytes += skip;
            while (skip > buffer.size() - start && more) {
                skip -= buffer.size() - start;
                buffer.clear();
                start = 0;
                read_more();
            }
            if (skip > buffer.size() - start) {
                stats.input_problem = fmt::format("packed record {} is cut short", number);
                break;
            }
            start += skip;
            continue;
        }
        if (walk.bad_size) {
            stats.input_problem = fmt::format("packed record {} has an impossible size: the file is damaged", number + 1);
            break;
        }
        if (walk.ended) break;
        if (!more) {
            if (buffer.size() > start || spill_cut)
                stats.input_problem = fmt::format("packed record {} is cut short", number + 1);
            break;
        }
        read_more();
    }
    return stats;
}

}  // namespace

ReadStats read_trace_text(std::string_view text, const RecordSink& sink, const ReadOptions& options) {
    if (is_packed(text)) {
        std::size_t at = 0;
        return read_packed(
            [&](char* out, std::size_t n) {
                n = std::min(n, text.size() - at);
                std::memcpy(out, text.data() + at, n);
                at += n;
                return n;
            },
            sink, options);
    }
    auto source = ingest::memory_source(text);
    return ingest::read_trace(*source, sink, options);
}

ReadStats read_trace_file(const std::filesystem::path& path, const RecordSink& sink, const ReadOptions& options) {
    // Packed files are pss-run's own, always regular files; a pipe
    // (/dev/stdin, <(zcat ...)) is never peeked at, which would lose its start.
    std::error_code ec;
    if (std::ifstream in; std::filesystem::is_regular_file(path, ec) && (in.open(path, std::ios::binary), in)) {
        char head[packed_magic.size()] = {};
        in.read(head, sizeof head);
        if (in.gcount() == sizeof head && is_packed(std::string_view(head, sizeof head))) {
            in.clear();
            in.seekg(0);
            return read_packed(
                [&](char* out, std::size_t n) {
                    in.read(out, static_cast<std::streamsize>(n));
                    return static_cast<std::size_t>(in.gcount());
                },
                sink, options);
        }
    }
    auto source = ingest::open_trace_source(path);
    return ingest::read_trace(*source, sink, options);
}

}  // namespace pss
