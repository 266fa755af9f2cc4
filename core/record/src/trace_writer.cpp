#include "pss/record/trace_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

namespace pss {

namespace {

// A record is written per finished test, so this is on the listener's hot
// path: plain appends, no temporaries for the common (printable ASCII) case.
void append_key(std::string& out, std::string_view key) {
    out += ",\"";
    out += key;
    out += "\":";
}

bool plain_ascii(std::string_view value) {
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7E || c == '"' || c == '\\') return false;
    }
    return true;
}

void append_string(std::string& out, std::string_view key, std::string_view value) {
    append_key(out, key);
    if (plain_ascii(value)) {
        out += '"';
        out += value;
        out += '"';
        return;
    }
    // nlohmann escapes control characters and replaces invalid UTF-8 with U+FFFD.
    out += nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The shortest text that reads back as the same double (std::to_chars).
template <class T>
void append_value(std::string& out, T value) {
    char buffer[40];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

void append_number(std::string& out, std::string_view key, double value) {
    if (!std::isfinite(value)) value = 0.0;  // JSON has no NaN or infinity
    append_key(out, key);
    if (value == std::trunc(value) && std::fabs(value) < 9.0e15)
        append_value(out, static_cast<long long>(value));
    else
        append_value(out, value);
}

void append_integer(std::string& out, std::string_view key, std::int64_t value) {
    append_key(out, key);
    append_value(out, value);
}

std::string errno_text(const char* what, const std::string& path) {
    return std::string(what) + " '" + path + "'";
}

}  // namespace

std::string to_json_line(const TraceRecord& r) {
    std::string out;
    out.reserve(384);
    append_string(out, "name", r.name);
    out[0] = '{';  // replaces the leading comma
    append_string(out, "module", r.module);
    append_integer(out, "run", r.run);
    append_number(out, "timestamp", r.timestamp);
    append_number(out, "duration", r.duration);
    append_number(out, "cpu_time", r.cpu_time);
    append_number(out, "wait_time", r.wait_time);
    append_number(out, "memory", r.memory);
    append_number(out, "memory_diff", r.memory_diff);
    out += r.error ? ",\"error\":true" : ",\"error\":false";
    append_string(out, "exception_type", r.exception_type);
    append_string(out, "exception_message", r.exception_message);
    if (r.branch_tag)
        append_string(out, "branch_tag", *r.branch_tag);
    else
        out += ",\"branch_tag\":null";
    append_string(out, "filename", r.filename);
    append_integer(out, "lineno", r.lineno);
    if (!r.kind.empty()) append_string(out, "kind", r.kind);
    if (!r.parent.empty()) append_string(out, "parent", r.parent);
    if (!r.failure_file.empty()) {
        append_string(out, "failure_file", r.failure_file);
        append_integer(out, "failure_line", r.failure_line);
    }
    if (r.voluntary_context_switches || r.involuntary_context_switches) {
        append_integer(out, "voluntary_context_switches", r.voluntary_context_switches);
        append_integer(out, "involuntary_context_switches", r.involuntary_context_switches);
    }
    if (r.run_delay > 0) append_number(out, "run_delay", r.run_delay);
    if (r.calls > 0) append_integer(out, "calls", r.calls);
    if (r.warmup) out += ",\"warmup\":true";
    if (r.timing_resolution > 0) append_number(out, "timing_resolution", r.timing_resolution);
    if (!r.metrics.empty()) {
        out += ",\"metrics\":{";
        std::size_t written = 0;
        for (const RecordMetric& m : r.metrics) {
            if (written == max_record_metrics) break;
            if (m.name.empty() || m.name.size() > max_record_metric_name) continue;
            if (written++ > 0) out += ',';
            if (plain_ascii(m.name)) {
                out += '"';
                out += m.name;
                out += '"';
            } else {
                out += nlohmann::json(m.name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            }
            out += ':';
            append_value(out, std::isfinite(m.value) ? m.value : 0.0);
        }
        out += '}';
    }
    if (r.system_metric) {
        out += ",\"system_metric\":true";
        if (r.lag) {
            out += ",\"metadata\":{\"lag\":";
            append_value(out, std::isfinite(*r.lag) ? *r.lag : 0.0);
            out += '}';
        }
    }
    out += '}';
    return out;
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
