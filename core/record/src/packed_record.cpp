#include "pss/record/packed_record.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

namespace pss {

namespace {

// A record's bytes: four 32-bit words (which numbers are there, which
// strings, flags, how many metrics), the numbers that are not zero (8 bytes
// each, in the order below), the strings that are not empty (a 32-bit length
// and the bytes), the metrics (name as a string, value 8 bytes), zeros to a
// multiple of 4. Host byte order: the file never leaves the machine. In the
// strings' word, bit 16 + i says string i is the previous record's (it has
// no bytes here).
constexpr std::uint32_t error = 1, warmup = 2, system_metric = 4, has_branch_tag = 8, has_lag = 16;

constexpr std::size_t header_bytes = 16;
constexpr std::size_t number_count = 15;
constexpr std::size_t string_count = 9;
constexpr unsigned repeat_shift = 16;
constexpr std::size_t module_index = 1, filename_index = 5, kind_index = 6;

template <class T>
std::uint64_t bits_of(T value) {
    std::uint64_t bits;
    static_assert(sizeof value == sizeof bits);
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

// JSON has no NaN or infinity: the text writer writes 0, and so do we.
double finite(double v) { return std::isfinite(v) ? v : 0.0; }

bool metric_written(const RecordMetric& m) { return !m.name.empty() && m.name.size() <= max_record_metric_name; }

void put32(char*& p, std::uint32_t v) {
    std::memcpy(p, &v, 4);
    p += 4;
}

class Reader {
public:
    explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
    bool u32(std::uint32_t& v) { return take(&v, 4); }
    bool u64(std::uint64_t& v) { return take(&v, 8); }
    bool string(std::string& out) {
        std::uint32_t length = 0;
        if (!u32(length) || length > static_cast<std::size_t>(end_ - p_)) return false;
        out.assign(p_, length);
        p_ += length;
        return true;
    }
    // Only the zeros of the padding may follow.
    bool at_padding() const {
        if (end_ - p_ >= 4) return false;
        for (const char* q = p_; q < end_; ++q)
            if (*q != 0) return false;
        return true;
    }

private:
    bool take(void* v, std::size_t n) {
        if (static_cast<std::size_t>(end_ - p_) < n) return false;
        std::memcpy(v, p_, n);
        p_ += n;
        return true;
    }
    const char* p_;
    const char* end_;
};

// Invalid UTF-8 replaced with U+FFFD, as a JSON line of it reads back.
void make_valid_utf8(std::string& s) {
    bool high = false;
    for (const char c : s) high |= static_cast<unsigned char>(c) >= 0x80;
    if (!high) return;
    const std::string text = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    s = nlohmann::json::parse(text).get<std::string>();
}

}  // namespace

std::size_t packed_bound(const TraceRecord& r) {
    // Field by field: this runs for every test.
    std::size_t bound = 4 + header_bytes + number_count * 8 + string_count * 4 + 4;
    bound += r.name.size() + r.module.size() + r.exception_type.size() + r.exception_message.size() +
             r.filename.size() + r.kind.size() + r.parent.size() + r.failure_file.size();
    if (r.branch_tag) bound += r.branch_tag->size();
    for (const RecordMetric& m : r.metrics) bound += 4 + m.name.size() + 8;
    return bound;
}

char* pack_record(char* const out, const TraceRecord& r, PackedRepeats* repeats) {
    char* p = out + header_bytes;
    std::uint32_t number_mask = 0, string_mask = 0, metrics = 0, bit = 1;
    // In the order unpack_record reads them; a zero is left out.
    auto number = [&](std::uint64_t bits) {
        if (bits != 0) {
            std::memcpy(p, &bits, 8);
            p += 8;
            number_mask |= bit;
        }
        bit <<= 1;
    };
    number(bits_of(r.run));
    number(bits_of(finite(r.timestamp)));
    number(bits_of(finite(r.duration)));
    number(bits_of(finite(r.cpu_time)));
    number(bits_of(finite(r.wait_time)));
    number(bits_of(finite(r.memory)));
    number(bits_of(finite(r.memory_diff)));
    number(bits_of(r.lineno));
    number(bits_of(r.failure_line));
    number(bits_of(r.voluntary_context_switches));
    number(bits_of(r.involuntary_context_switches));
    number(bits_of(r.calls));
    number(bits_of(finite(r.run_delay)));
    number(bits_of(finite(r.timing_resolution)));
    number(bits_of(r.lag ? finite(*r.lag) : 0.0));
    bit = 1;
    auto string = [&](std::string_view s) {
        if (!s.empty()) {
            put32(p, static_cast<std::uint32_t>(s.size()));
            std::memcpy(p, s.data(), s.size());
            p += s.size();
            string_mask |= bit;
        }
        bit <<= 1;
    };
    // The previous record's string: a bit, no bytes; else remembered.
    auto string_or_repeat = [&](const std::string& s, std::string* previous, std::size_t index) {
        if (previous != nullptr && !s.empty()) {
            if (s == *previous) {
                string_mask |= 1u << (repeat_shift + index);
                bit <<= 1;
                return;
            }
            previous->assign(s);
        }
        string(s);
    };
    // In the order unpack_record reads them, field by field: this runs for every test.
    string(r.name);
    string_or_repeat(r.module, repeats != nullptr ? &repeats->module : nullptr, module_index);
    string(r.exception_type);
    string(r.exception_message);
    string(r.branch_tag ? std::string_view(*r.branch_tag) : std::string_view());
    string_or_repeat(r.filename, repeats != nullptr ? &repeats->filename : nullptr, filename_index);
    string_or_repeat(r.kind, repeats != nullptr ? &repeats->kind : nullptr, kind_index);
    string(r.parent);
    string(r.failure_file);
    for (const RecordMetric& m : r.metrics) {
        if (metrics == max_record_metrics) break;
        if (!metric_written(m)) continue;
        ++metrics;
        put32(p, static_cast<std::uint32_t>(m.name.size()));
        std::memcpy(p, m.name.data(), m.name.size());
        p += m.name.size();
        const std::uint64_t value = bits_of(finite(m.value));
        std::memcpy(p, &value, 8);
        p += 8;
    }
    // Zeros to a multiple of 4 (packed_bound left room for 4).
    std::memset(p, 0, 4);
    p = out + ((p - out + 3) & ~std::ptrdiff_t{3});
    const std::uint32_t flags = (r.error ? error : 0u) | (r.warmup ? warmup : 0u) |
                                (r.system_metric ? system_metric : 0u) | (r.branch_tag ? has_branch_tag : 0u) |
                                (r.lag ? has_lag : 0u);
    char* header = out;
    put32(header, number_mask);
    put32(header, string_mask);
    put32(header, flags);
    put32(header, metrics);
    return p;
}

bool unpack_record(std::string_view bytes, TraceRecord& r, bool previous_read, std::string_view& why) {
    Reader in(bytes);
    std::uint32_t number_mask = 0, string_mask = 0, flags = 0, metrics = 0;
    if (!in.u32(number_mask) || !in.u32(string_mask) || !in.u32(flags) || !in.u32(metrics)) {
        why = "a packed record shorter than its header";
        return false;
    }
    constexpr std::uint32_t repeatable = (1u << module_index) | (1u << filename_index) | (1u << kind_index);
    const std::uint32_t repeats = string_mask >> repeat_shift;
    string_mask &= (1u << repeat_shift) - 1;
    if (number_mask >> number_count != 0 || string_mask >> string_count != 0 || (repeats & ~repeatable) != 0 ||
        (repeats & string_mask) != 0 || flags >= 32 || metrics > max_record_metrics) {
        why = "a packed record with an unknown field";
        return false;
    }
    if (repeats != 0 && !previous_read) {
        why = "a packed record that refers to the record before it, which could not be read";
        return false;
    }
    std::uint64_t n[number_count] = {};
    for (std::size_t i = 0; i < number_count; ++i)
        if ((number_mask >> i & 1u) != 0 && !in.u64(n[i])) {
            why = "a packed record cut short";
            return false;
        }
    auto as_double = [&](std::size_t i) {
        double d;
        std::memcpy(&d, &n[i], 8);
        return std::isfinite(d) ? d : 0.0;
    };
    auto as_int = [&](std::size_t i) { return static_cast<std::int64_t>(n[i]); };
    std::string* strings[string_count] = {&r.name,   &r.module, &r.exception_type, &r.exception_message, nullptr,
                                          &r.filename, &r.kind, &r.parent,         &r.failure_file};
    std::string branch_tag;
    strings[4] = &branch_tag;
    for (std::size_t i = 0; i < string_count; ++i) {
        if ((repeats >> i & 1u) != 0) continue;  // the previous record's, in `r` already
        strings[i]->clear();
        if ((string_mask >> i & 1u) != 0 && !in.string(*strings[i])) {
            why = "a packed record cut short";
            return false;
        }
        make_valid_utf8(*strings[i]);
    }
    r.metrics.clear();
    for (std::uint32_t i = 0; i < metrics; ++i) {
        RecordMetric m;
        std::uint64_t value = 0;
        if (!in.string(m.name) || !in.u64(value)) {
            why = "a packed record cut short";
            return false;
        }
        make_valid_utf8(m.name);
        std::memcpy(&m.value, &value, 8);
        if (!std::isfinite(m.value)) m.value = 0.0;
        if (m.name.size() <= max_record_metric_name) r.metrics.push_back(std::move(m));
    }
    // As the JSON reader gives them: sorted by key.
    std::sort(r.metrics.begin(), r.metrics.end(),
              [](const RecordMetric& a, const RecordMetric& b) { return a.name < b.name; });
    if (!in.at_padding()) {
        why = "unexpected bytes after a packed record";
        return false;
    }
    if ((flags & has_branch_tag) != 0)
        r.branch_tag = std::move(branch_tag);
    else
        r.branch_tag.reset();
    r.run = as_int(0);
    r.timestamp = as_double(1);
    r.duration = as_double(2);
    r.cpu_time = as_double(3);
    r.wait_time = as_double(4);
    r.memory = as_double(5);
    r.memory_diff = as_double(6);
    r.lineno = as_int(7);
    r.failure_line = as_int(8);
    r.voluntary_context_switches = as_int(9);
    r.involuntary_context_switches = as_int(10);
    r.calls = as_int(11);
    r.run_delay = as_double(12);
    r.timing_resolution = as_double(13);
    if ((flags & has_lag) != 0)
        r.lag = as_double(14);
    else
        r.lag.reset();
    r.error = (flags & error) != 0;
    r.warmup = (flags & warmup) != 0;
    r.system_metric = (flags & system_metric) != 0;
    return true;
}

}  // namespace pss
