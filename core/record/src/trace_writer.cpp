#include "pss/record/trace_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

namespace pss {

namespace {

// A record is written per finished test, so this is on the listener's hot
// path: bytes are copied into a buffer sized ahead (no capacity check and
// call per piece), no temporaries for the common (printable ASCII) case.
class Buffer {
public:
    explicit Buffer(std::string& out) : out_(out), used_(out.size()) { out_.resize(used_ + 512); }
    ~Buffer() { out_.resize(used_); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    char* room(std::size_t n) {
        if (used_ + n > out_.size()) out_.resize(std::max(out_.size() * 2, used_ + n));
        return &out_[used_];
    }
    void commit(std::size_t n) { used_ += n; }
    void put(std::string_view text) {
        std::memcpy(room(text.size()), text.data(), text.size());
        used_ += text.size();
    }
    void put(char c) {
        *room(1) = c;
        ++used_;
    }
    char& at(std::size_t i) { return out_[i]; }
    std::size_t size() const { return used_; }

private:
    std::string& out_;
    std::size_t used_;
};

// `key` is the whole key with its punctuation: ,"name":
void append_key(Buffer& out, std::string_view key) { out.put(key); }

bool plain_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u <= 0x7E && c != '"' && c != '\\';
}

// Eight bytes at a time (the classic "has a byte less than / more than /
// equal to" word tests, exact as yes-or-no answers): names and paths are
// most of a record.
bool plain_ascii(std::string_view value) {
    constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    auto has_zero = [&](std::uint64_t x) { return ((x - ones) & ~x & high) != 0; };
    const char* p = value.data();
    std::size_t n = value.size();
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t x;
        std::memcpy(&x, p, 8);
        const bool below_space = ((x - ones * 0x20) & ~x & high) != 0;
        const bool above_tilde = (((x + ones * (127 - 0x7E)) | x) & high) != 0;
        if (below_space || above_tilde || has_zero(x ^ (ones * '"')) || has_zero(x ^ (ones * '\\'))) return false;
    }
    for (; n > 0; ++p, --n)
        if (!plain_byte(*p)) return false;
    return true;
}

void append_string(Buffer& out, std::string_view key, std::string_view value) {
    append_key(out, key);
    if (plain_ascii(value)) {
        char* p = out.room(value.size() + 2);
        p[0] = '"';
        std::memcpy(p + 1, value.data(), value.size());
        p[value.size() + 1] = '"';
        out.commit(value.size() + 2);
        return;
    }
    // nlohmann escapes control characters and replaces invalid UTF-8 with U+FFFD.
    out.put(nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The shortest text that reads back as the same double (std::to_chars).
template <class T>
void append_value(Buffer& out, T value) {
    char* p = out.room(40);
    const auto result = std::to_chars(p, p + 40, value);
    out.commit(static_cast<std::size_t>(result.ptr - p));
}

// A value that is n / 1e9 or n / 1e6 exactly as doubles divide (the
// listener's durations in nanoseconds, timestamps in microseconds) is written
// as that decimal, which reads back as the same double: the division is
// correctly rounded and n, 1e9 and 1e6 are exact. Much cheaper than the
// shortest-digits search; other values return false.
bool append_scaled(Buffer& out, double value) {
    constexpr double scales[] = {1e9, 1e6};
    constexpr int decimals[] = {9, 6};
    for (int i = 0; i < 2; ++i) {
        if (!(value > 0 && value < 9.0e15 / scales[i])) return false;
        const auto n = static_cast<long long>(value * scales[i] + 0.5);
        if (static_cast<double>(n) / scales[i] != value) continue;
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
        auto length = static_cast<int>(end - digits);
        int keep = decimals[i];  // fractional digits, trailing zeros dropped
        while (keep > 0 && length > 0 && digits[length - 1] == '0') {
            --length;
            --keep;
        }
        char* p = out.room(40);
        char* q = p;
        const int whole = length - keep;
        if (whole <= 0) {
            *q++ = '0';
            *q++ = '.';
            for (int z = whole; z < 0; ++z) *q++ = '0';
            std::memcpy(q, digits, static_cast<std::size_t>(length));
            q += length;
        } else {
            std::memcpy(q, digits, static_cast<std::size_t>(whole));
            q += whole;
            if (keep > 0) {
                *q++ = '.';
                std::memcpy(q, digits + whole, static_cast<std::size_t>(keep));
                q += keep;
            }
        }
        out.commit(static_cast<std::size_t>(q - p));
        return true;
    }
    return false;
}

void append_number(Buffer& out, std::string_view key, double value) {
    if (!std::isfinite(value)) value = 0.0;  // JSON has no NaN or infinity
    append_key(out, key);
    if (std::fabs(value) < 9.0e15 && value == static_cast<double>(static_cast<long long>(value)))
        append_value(out, static_cast<long long>(value));
    else if (!append_scaled(out, value))
        append_value(out, value);
}

void append_integer(Buffer& out, std::string_view key, std::int64_t value) {
    append_key(out, key);
    append_value(out, value);
}

std::string errno_text(const char* what, const std::string& path) {
    return std::string(what) + " '" + path + "'";
}

}  // namespace

std::string to_json_line(const TraceRecord& r) {
    std::string out;
    out.reserve(512);
    append_json_line(out, r);
    return out;
}

void append_json_line(std::string& text, const TraceRecord& r) {
    Buffer out(text);
    const std::size_t start = out.size();
    append_string(out, ",\"name\":", r.name);
    out.at(start) = '{';  // replaces the leading comma
    append_string(out, ",\"module\":", r.module);
    append_integer(out, ",\"run\":", r.run);
    append_number(out, ",\"timestamp\":", r.timestamp);
    append_number(out, ",\"duration\":", r.duration);
    append_number(out, ",\"cpu_time\":", r.cpu_time);
    append_number(out, ",\"wait_time\":", r.wait_time);
    append_number(out, ",\"memory\":", r.memory);
    append_number(out, ",\"memory_diff\":", r.memory_diff);
    out.put(r.error ? ",\"error\":true" : ",\"error\":false");
    append_string(out, ",\"exception_type\":", r.exception_type);
    append_string(out, ",\"exception_message\":", r.exception_message);
    if (r.branch_tag)
        append_string(out, ",\"branch_tag\":", *r.branch_tag);
    else
        out.put(",\"branch_tag\":null");
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
    if (r.warmup) out.put(",\"warmup\":true");
    if (r.timing_resolution > 0) append_number(out, ",\"timing_resolution\":", r.timing_resolution);
    if (!r.metrics.empty()) {
        out.put(",\"metrics\":{");
        std::size_t written = 0;
        for (const RecordMetric& m : r.metrics) {
            if (written == max_record_metrics) break;
            if (m.name.empty() || m.name.size() > max_record_metric_name) continue;
            if (written++ > 0) out.put(',');
            if (plain_ascii(m.name)) {
                out.put('"');
                out.put(m.name);
                out.put('"');
            } else {
                out.put(nlohmann::json(m.name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            }
            out.put(':');
            append_value(out, std::isfinite(m.value) ? m.value : 0.0);
        }
        out.put('}');
    }
    if (r.system_metric) {
        out.put(",\"system_metric\":true");
        if (r.lag) {
            out.put(",\"metadata\":{\"lag\":");
            append_value(out, std::isfinite(*r.lag) ? *r.lag : 0.0);
            out.put('}');
        }
    }
    out.put('}');
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
