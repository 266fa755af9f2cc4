#include "pss/record/trace_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <string_view>
#include <system_error>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

namespace pss {

namespace {

// A record is written per finished test, so this is on the listener's hot
// path: room for the whole line is reserved once (json_line_bound), then
// pieces are copied without checks; keys are literals of known length, so
// their copies are inlined.
class Out {
public:
    explicit Out(char* p) : p_(p) {}
    template <std::size_t N>
    void lit(const char (&text)[N]) {
        std::memcpy(p_, text, N - 1);
        p_ += N - 1;
    }
    void put(std::string_view text) {
        std::memcpy(p_, text.data(), text.size());
        p_ += text.size();
    }
    void put(char c) { *p_++ = c; }
    char*& cursor() { return p_; }

private:
    char* p_;
};

// Bytes a number may take, and the slack after the last piece: numbers copy
// fixed 24-byte blocks and move on by their length.
constexpr std::size_t number_bytes = 32;
constexpr std::size_t slack_bytes = 64;

bool plain_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u <= 0x7E && c != '"' && c != '\\';
}

// Eight bytes as one word (the classic "has a byte less than / more than /
// equal to" tests, exact as yes-or-no answers).
bool plain_word(const char* p) {
    constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    auto has_zero = [&](std::uint64_t x) { return ((x - ones) & ~x & high) != 0; };
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const bool below_space = ((x - ones * 0x20) & ~x & high) != 0;
    const bool above_tilde = (((x + ones * (127 - 0x7E)) | x) & high) != 0;
    return !(below_space || above_tilde || has_zero(x ^ (ones * '"')) || has_zero(x ^ (ones * '\\')));
}

// Printable ASCII without '"' and '\\': copied as it is. Names and paths are
// most of a record, so 16 bytes at a time where SSE2 is there (always on
// x86-64); the last block overlaps the one before rather than going byte by
// byte.
bool plain_ascii(std::string_view value) {
    const char* p = value.data();
    const std::size_t n = value.size();
#if defined(__SSE2__)
    if (n >= 16) {
        const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                      del = _mm_set1_epi8(0x7F);
        auto bad = [&](const char* at) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
            // Signed: bytes from 0x80 up are negative, below the space too.
            const __m128i b = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del)),
                                           _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
            return _mm_movemask_epi8(b) != 0;
        };
        std::size_t i = 0;
        for (; i + 16 <= n; i += 16)
            if (bad(p + i)) return false;
        return i == n || !bad(p + n - 16);
    }
#endif
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 <= n; i += 8)
            if (!plain_word(p + i)) return false;
        return plain_word(p + n - 8);
    }
    for (std::size_t i = 0; i < n; ++i)
        if (!plain_byte(p[i])) return false;
    return true;
}

// At most 6 bytes per byte of `value` (\u00XX), plus the quotes.
std::size_t string_bound(std::string_view value) { return 6 * value.size() + 2; }

void put_string(Out& out, std::string_view value) {
    if (plain_ascii(value)) {
        out.put('"');
        out.put(value);
        out.put('"');
        return;
    }
    // nlohmann escapes control characters and replaces invalid UTF-8 with U+FFFD.
    out.put(nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

template <std::size_t N>
void append_string(Out& out, const char (&key)[N], std::string_view value) {
    out.lit(key);
    put_string(out, value);
}

// The shortest text that reads back as the same value (std::to_chars).
template <class T>
void put_value(Out& out, T value) {
    out.cursor() = std::to_chars(out.cursor(), out.cursor() + number_bytes, value).ptr;
}

// n / 10^decimals as a decimal, trailing zeros dropped; n > 0.
void put_scaled(Out& out, long long n, int decimals) {
    char digits[48];  // 24 digits at most, and room for the fixed-size copies below
    auto length = static_cast<int>(std::to_chars(digits, digits + 24, n).ptr - digits);
    int keep = decimals;  // fractional digits
    while (keep > 0 && digits[length - 1] == '0') {
        --length;
        --keep;
    }
    char*& q = out.cursor();
    const int whole = length - keep;
    if (whole <= 0) {
        std::memcpy(q, "0.0000000000000000000000", 24);
        q += 2 - whole;
        std::memcpy(q, digits, 24);
        q += length;
        return;
    }
    std::memcpy(q, digits, 24);
    q += whole;
    if (keep > 0) {
        *q++ = '.';
        std::memcpy(q, digits + whole, 24);
        q += keep;
    }
}

// A value that is n / 1e9 or n / 1e6 exactly as doubles divide (the
// listener's durations in nanoseconds, timestamps in microseconds) is written
// as that decimal, which reads back as the same double: the division is
// correctly rounded and n, 1e9 and 1e6 are exact. Much cheaper than the
// shortest-digits search; other values return false.
bool append_scaled(Out& out, double value) {
    constexpr double scales[] = {1e9, 1e6};
    constexpr int decimals[] = {9, 6};
    for (int i = 0; i < 2; ++i) {
        if (!(value > 0 && value < 9.0e15 / scales[i])) continue;  // a timestamp is too large for 1e9
        const auto n = static_cast<long long>(value * scales[i] + 0.5);
        if (static_cast<double>(n) / scales[i] != value) continue;
        put_scaled(out, n, decimals[i]);
        return true;
    }
    return false;
}

void put_number(Out& out, double value) {
    if (!std::isfinite(value)) value = 0.0;  // JSON has no NaN or infinity
    if (std::fabs(value) < 9.0e15 && value == static_cast<double>(static_cast<long long>(value)))
        put_value(out, static_cast<long long>(value));
    else if (!append_scaled(out, value))
        put_value(out, value);
}

template <std::size_t N>
void append_number(Out& out, const char (&key)[N], double value) {
    out.lit(key);
    put_number(out, value);
}

template <std::size_t N>
void append_integer(Out& out, const char (&key)[N], std::int64_t value) {
    out.lit(key);
    put_value(out, value);
}

std::string errno_text(const char* what, const std::string& path) {
    return std::string(what) + " '" + path + "'";
}

}  // namespace

std::string to_json_line(const TraceRecord& r) {
    std::string out;
    append_json_line(out, r);
    return out;
}

void append_json_line(std::string& text, const TraceRecord& r) {
    const std::size_t at = text.size();
    text.resize(at + json_line_bound(r));
    char* const end = write_json_line(&text[at], r);
    text.resize(static_cast<std::size_t>(end - text.data()));
}

std::size_t json_line_bound(const TraceRecord& r) {
    // 24 keys and numbers at most, each within 64 bytes; strings escaped.
    std::size_t bound = 24 * (32 + number_bytes) + slack_bytes;
    for (const std::string_view s : {std::string_view(r.name), std::string_view(r.module),
                                     std::string_view(r.exception_type), std::string_view(r.exception_message),
                                     std::string_view(r.filename), std::string_view(r.kind),
                                     std::string_view(r.parent), std::string_view(r.failure_file)})
        bound += string_bound(s);
    if (r.branch_tag) bound += string_bound(*r.branch_tag);
    for (const RecordMetric& m : r.metrics) bound += string_bound(m.name) + 2 + number_bytes;
    return bound;
}

char* write_json_line(char* const line, const TraceRecord& r) {
    Out out(line);
    out.lit("{\"name\":");
    put_string(out, r.name);
    append_string(out, ",\"module\":", r.module);
    append_integer(out, ",\"run\":", r.run);
    append_number(out, ",\"timestamp\":", r.timestamp);
    append_number(out, ",\"duration\":", r.duration);
    append_number(out, ",\"cpu_time\":", r.cpu_time);
    append_number(out, ",\"wait_time\":", r.wait_time);
    append_number(out, ",\"memory\":", r.memory);
    append_number(out, ",\"memory_diff\":", r.memory_diff);
    if (r.error)
        out.lit(",\"error\":true");
    else
        out.lit(",\"error\":false");
    append_string(out, ",\"exception_type\":", r.exception_type);
    append_string(out, ",\"exception_message\":", r.exception_message);
    if (r.branch_tag)
        append_string(out, ",\"branch_tag\":", *r.branch_tag);
    else
        out.lit(",\"branch_tag\":null");
    append_string(out, ",\"filename\":", r.filename);
    append_integer(out, ",\"lineno\":", r.lineno);
    if (!r.kind.empty()) append_string(out, ",\"kind\":", r.kind);
    if (!r.parent.empty()) append_string(out, ",\"parent\":", r.parent);
    if (!r.failure_file.empty()) {
        append_string(out, ",\"failure_file\":", r.failure_file);
        append_integer(out, ",\"failure_line\":", r.failure_line);
    }
    if (r.voluntary_context_switches || r.involuntary_context_switches) {
        append_integer(out, ",\"voluntary_context_switches\":", r.voluntary_context_switches);
        append_integer(out, ",\"involuntary_context_switches\":", r.involuntary_context_switches);
    }
    if (r.run_delay > 0) append_number(out, ",\"run_delay\":", r.run_delay);
    if (r.calls > 0) append_integer(out, ",\"calls\":", r.calls);
    if (r.warmup) out.lit(",\"warmup\":true");
    if (r.timing_resolution > 0) append_number(out, ",\"timing_resolution\":", r.timing_resolution);
    if (!r.metrics.empty()) {
        out.lit(",\"metrics\":{");
        std::size_t written = 0;
        for (const RecordMetric& m : r.metrics) {
            if (written == max_record_metrics) break;
            if (m.name.empty() || m.name.size() > max_record_metric_name) continue;
            if (written++ > 0) out.put(',');
            put_string(out, m.name);
            out.put(':');
            put_value(out, std::isfinite(m.value) ? m.value : 0.0);
        }
        out.put('}');
    }
    if (r.system_metric) {
        out.lit(",\"system_metric\":true");
        if (r.lag) {
            out.lit(",\"metadata\":{\"lag\":");
            put_value(out, std::isfinite(*r.lag) ? *r.lag : 0.0);
            out.put('}');
        }
    }
    out.put('}');
    return out.cursor();
}

TraceWriter::TraceWriter(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), errno_text("cannot open trace file", path_) +
                                                                     " for appending");
}

TraceWriter::~TraceWriter() {
    if (fd_ >= 0) ::close(fd_);
}

void TraceWriter::write(const TraceRecord& record) {
    std::string line = to_json_line(record);
    line += '\n';
    std::lock_guard<std::mutex> lock(mutex_);
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), errno_text("cannot write to trace file", path_));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace pss
