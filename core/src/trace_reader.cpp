#include "pss/trace_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <simdjson.h>

#include "record_scanner.hpp"

namespace pss {

namespace od = simdjson::ondemand;

std::string ReadStats::warning() const {
    if (malformed == 0) return {};
    return fmt::format("{} malformed record{} skipped (first at line {}: {})", malformed, malformed == 1 ? "" : "s",
                       first_malformed_line, first_malformed_reason);
}

namespace {

// Turns one JSON text into a TraceRecord; on failure says why, briefly.
class RecordParser {
public:
    bool parse(const char* data, std::size_t len, std::size_t capacity, TraceRecord& out, std::string& why) {
        out = TraceRecord{};
        od::document doc;
        if (auto err = parser_.iterate(data, len, capacity).get(doc)) return fail(why, err);
        od::object obj;
        if (auto err = doc.get_object().get(obj)) {
            why = err == simdjson::INCORRECT_TYPE ? "not a JSON object" : simdjson::error_message(err);
            return false;
        }
        for (auto field : obj) {
            std::string_view key;
            if (auto err = field.unescaped_key().get(key)) return fail(why, err);
            od::value value;
            if (auto err = field.value().get(value)) return fail(why, err);
            if (!assign(key, value, out, why)) return false;
        }
        // Past the record's closing brace only the end may remain.
        if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
            why = "unexpected content after the record";
            return false;
        }
        return true;
    }

private:
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

    static bool number(od::value& v, std::string_view key, double& out, std::string& why) {
        if (is_null(v)) return true;  // null reads as absent
        if (v.get_double().get(out)) return type_error(why, key, "a number");
        return true;
    }

    static bool integer(od::value& v, std::string_view key, std::int64_t& out, std::string& why) {
        double d = 0;
        if (!number(v, key, d, why)) return false;
        out = static_cast<std::int64_t>(d);
        return true;
    }

    static bool text(od::value& v, std::string_view key, std::string& out, std::string& why) {
        if (is_null(v)) return true;
        std::string_view s;
        if (v.get_string().get(s)) return type_error(why, key, "a string");
        out.assign(s);
        return true;
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
                if (v.get_double().get(d)) return type_error(why, key, "a boolean");
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
            if (lag.get_double().get(d)) return type_error(why, "metadata.lag", "a number");
            out.lag = d;
        }
        return true;
    }

    static bool assign(std::string_view key, od::value& v, TraceRecord& r, std::string& why) {
        if (key == "name") return text(v, key, r.name, why);
        if (key == "module") return text(v, key, r.module, why);
        if (key == "run") return integer(v, key, r.run, why);
        if (key == "timestamp") return number(v, key, r.timestamp, why);
        if (key == "duration") return number(v, key, r.duration, why);
        if (key == "cpu_time") return number(v, key, r.cpu_time, why);
        if (key == "wait_time") return number(v, key, r.wait_time, why);
        if (key == "memory") return number(v, key, r.memory, why);
        if (key == "memory_diff") return number(v, key, r.memory_diff, why);
        if (key == "error") return truth(v, key, r.error, why);
        if (key == "exception_type") return text(v, key, r.exception_type, why);
        if (key == "exception_message") return text(v, key, r.exception_message, why);
        if (key == "branch_tag") {
            // pypss counts only string tags; anything else means "no tag".
            std::string_view s;
            if (!v.get_string().get(s)) r.branch_tag = std::string(s);
            return true;
        }
        if (key == "filename") return text(v, key, r.filename, why);
        if (key == "lineno") return integer(v, key, r.lineno, why);
        if (key == "kind") return text(v, key, r.kind, why);
        if (key == "parent") return text(v, key, r.parent, why);
        if (key == "failure_file") return text(v, key, r.failure_file, why);
        if (key == "failure_line") return integer(v, key, r.failure_line, why);
        if (key == "voluntary_context_switches") return integer(v, key, r.voluntary_context_switches, why);
        if (key == "involuntary_context_switches") return integer(v, key, r.involuntary_context_switches, why);
        if (key == "calls") return integer(v, key, r.calls, why);
        if (key == "system_metric") return truth(v, key, r.system_metric, why);
        if (key == "metadata") return metadata(v, r, why);
        return true;  // unknown fields are ignored
    }

    od::parser parser_;
};

class Reader {
public:
    Reader(const char* data, std::size_t size, std::size_t capacity, const RecordSink& sink)
        : data_(data), size_(size), capacity_(capacity), sink_(sink) {}

    ReadStats run() {
        detail::RecordScanner scan(data_, size_);
        scan.skip_whitespace();
        if (scan.at_end()) return stats_;
        if (scan.peek() == '[') {
            stats_.format = TraceFormat::json_array;
            scan.advance();
            read_array(scan);
        } else if (scan.peek() == '{' && !first_line_is_record(scan.position())) {
            detail::RecordScanner body = scan;
            if (!body.find_top_level_array("traces"))
                throw TraceFileError("not a trace file: a JSON object without a \"traces\" array. "
                                     "Expected NDJSON (one record a line), a JSON array of records, "
                                     "or pypss's {\"traces\": [...]}");
            stats_.format = TraceFormat::pypss_object;
            read_array(body);
        } else {
            stats_.format = TraceFormat::ndjson;
            read_lines();
        }
        return stats_;
    }

private:
    // NDJSON's first line is a whole record; a pretty-printed object's is not.
    // A one-line {"traces": [...]} file is a record-shaped line too, so look for its key.
    bool first_line_is_record(std::size_t start) {
        const char* nl = static_cast<const char*>(std::memchr(data_ + start, '\n', size_ - start));
        const std::size_t end = nl ? static_cast<std::size_t>(nl - data_) : size_;
        detail::RecordScanner line(data_ + start, end - start);
        if (!line.skip_value()) return false;
        detail::RecordScanner object(data_ + start, end - start);
        return !object.find_top_level_array("traces");
    }

    void handle(std::size_t begin, std::size_t end, std::uint64_t line) {
        std::string why;
        if (parser_.parse(data_ + begin, end - begin, capacity_ - begin, record_, why)) {
            ++stats_.records;
            sink_(record_);
        } else {
            malformed(line, std::move(why));
        }
    }

    void malformed(std::uint64_t line, std::string why) {
        if (stats_.malformed++ == 0) {
            stats_.first_malformed_line = line;
            stats_.first_malformed_reason = std::move(why);
        }
    }

    void read_lines() {
        std::size_t pos = 0;
        std::uint64_t line = 0;
        while (pos < size_) {
            ++line;
            const char* nl = static_cast<const char*>(std::memchr(data_ + pos, '\n', size_ - pos));
            const std::size_t end = nl ? static_cast<std::size_t>(nl - data_) : size_;
            std::size_t b = pos, e = end;
            while (b < e && detail::is_space(data_[b])) ++b;
            while (e > b && detail::is_space(data_[e - 1])) --e;
            if (b < e) {
                if (!nl && data_[e - 1] != '}')
                    malformed(line, "truncated record at end of file");
                else
                    handle(b, e, line);
            }
            pos = end + 1;
        }
    }

    void read_array(detail::RecordScanner& scan) {
        for (;;) {
            scan.skip_whitespace();
            if (scan.at_end()) return malformed(scan.line(), "file ends inside the array (truncated?)");
            if (scan.peek() == ']') return;
            const std::size_t begin = scan.position();
            const std::uint64_t line = scan.line();
            if (!scan.skip_value()) return malformed(line, "truncated record at end of file");
            handle(begin, scan.position(), line);
            scan.skip_whitespace();
            if (scan.at_end()) return malformed(scan.line(), "file ends inside the array (truncated?)");
            if (scan.peek() == ',') {
                scan.advance();
                continue;
            }
            if (scan.peek() == ']') return;
            // Resynchronise on the next comma so one bad element costs one record.
            malformed(scan.line(), fmt::format("expected ',' or ']' but found '{}'", scan.peek()));
            if (!scan.skip_to_next_element()) return;
        }
    }

    const char* data_;
    std::size_t size_, capacity_;
    const RecordSink& sink_;
    RecordParser parser_;
    TraceRecord record_;
    ReadStats stats_;
};

}  // namespace

ReadStats read_trace_text(std::string_view text, const RecordSink& sink) {
    simdjson::padded_string padded(text);
    return Reader(padded.data(), padded.size(), padded.size() + simdjson::SIMDJSON_PADDING, sink).run();
}

ReadStats read_trace_file(const std::filesystem::path& path, const RecordSink& sink) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw TraceFileError(fmt::format("cannot open trace file '{}': {}", path.string(), std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw TraceFileError(fmt::format("cannot read trace file '{}': it is a directory", path.string()));
    }
    simdjson::padded_string buffer(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < buffer.size()) {
        const ssize_t n = ::read(fd, buffer.data() + got, buffer.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            throw TraceFileError(fmt::format("cannot read trace file '{}': {}", path.string(), std::strerror(e)));
        }
        if (n == 0) break;  // the file shrank while we read it
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return Reader(buffer.data(), got, buffer.size() + simdjson::SIMDJSON_PADDING, sink).run();
}

}  // namespace pss
