#include "output_parsers.hpp"

#include <algorithm>

#include <charconv>
#include <cmath>
#include <cstdint>

namespace pss::runner {

namespace {

constexpr std::size_t max_output = 16 * 1024;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "path/file.cpp:12: Failure" -> file, line
bool parse_location(std::string_view line, std::string& file, std::int64_t& lineno,
                    std::string_view what = ": Failure") {
    const auto suffix = line.rfind(what);
    if (suffix == std::string_view::npos || suffix + what.size() != line.size()) return false;
    std::string_view loc = line.substr(0, suffix);
    const auto colon = loc.rfind(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view num = loc.substr(colon + 1);
    std::int64_t n = 0;
    if (std::from_chars(num.data(), num.data() + num.size(), n).ec != std::errc{}) return false;
    file = std::string(loc.substr(0, colon));
    lineno = n;
    return true;
}

// A duration as a framework prints it: a finite number >= 0, the whole
// text. Anything else (nan, inf, -1, 1e999, "12 apples") is none, so that no
// NaN or negative time reaches the scores.
std::optional<double> parse_duration(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) || value < 0) return std::nullopt;
    return value;
}

// A source line number, or 0 (unknown) when the text is none: atoll's
// result for a number out of range is undefined.
std::int64_t parse_line_number(std::string_view text) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    return ec == std::errc{} && end == text.data() + text.size() && n > 0 ? n : 0;
}

// A character reference's code point as UTF-8. One that XML allows no
// document to contain (NUL, a surrogate, past U+10FFFF) becomes U+FFFD, so
// that names stay valid UTF-8.
void append_utf8(std::string& out, std::uint32_t code) {
    if (code == 0 || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) code = 0xFFFD;
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

}  // namespace

void OutputParser::start(std::string name) {
    current_ = std::move(name);
    output_.clear();
    started_ = std::chrono::steady_clock::now();
}

void OutputParser::capture(std::string_view line) {
    if (current_.empty() || output_.size() > max_output) return;
    output_.append(line.substr(0, max_output));
    output_ += '\n';
}

TestEnd OutputParser::finish(double seconds, bool failed, bool skipped, std::string kind) {
    TestEnd end;
    end.name = std::move(current_);
    end.seconds = seconds;
    end.failed = failed;
    end.skipped = skipped;
    end.kind = std::move(kind);
    end.message = std::string(trim(message_));
    end.failure_file = failure_file_;
    end.failure_line = failure_line_;
    end.output = output_;
    current_.clear();
    return end;
}

TraceRecord native_record(const TestEnd& e, std::int64_t run) {
    TraceRecord r;
    r.kind = "test";
    r.name = e.name;
    r.run = run;
    r.duration = e.seconds;
    r.cpu_time = e.seconds;
    r.error = e.failed;
    r.exception_type = e.failed ? e.kind : (e.skipped ? "skipped" : "");
    r.exception_message = e.message;
    r.filename = e.file;
    r.lineno = e.line;
    r.failure_file = e.failure_file;
    r.failure_line = e.failure_line;
    return r;
}

double OutputParser::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

std::optional<TestEnd> GtestOutputParser::feed(std::string_view raw) {
    const std::string_view line = trim(raw);
    if (starts_with(line, "Repeating all tests (iteration ")) {
        int k = 0;
        const auto digits = line.substr(31);
        std::from_chars(digits.data(), digits.data() + digits.size(), k);
        iteration_ = k > 0 ? k - 1 : 0;
        return std::nullopt;
    }
    if (starts_with(line, "[----------] Global test environment set-up")) {
        in_environment_setup_ = true;
        return std::nullopt;
    }
    if (in_environment_setup_ && (starts_with(line, "[----------] ") || starts_with(line, "[ RUN      ] ")))
        in_environment_setup_ = false;
    if (in_environment_setup_) {
        std::string file;
        std::int64_t lineno = 0;
        if (parse_location(line, file, lineno, ": Skipped") || line == "unknown file: Skipped") environment_skipped_ = true;
    }
    if (starts_with(line, "[ RUN      ] ")) {
        start(std::string(line.substr(13)));
        message_.clear();
        failure_file_.clear();
        failure_line_ = 0;
        exception_ = seen_failure_ = collecting_ = false;
        return std::nullopt;
    }
    const bool ok = starts_with(line, "[       OK ] ");
    const bool failed = starts_with(line, "[  FAILED  ] ");
    const bool skipped = starts_with(line, "[  SKIPPED ] ");
    if ((ok || failed || skipped) && !current_.empty()) {
        // "[  FAILED  ] Name (12 ms)" ends the running test; the summary's
        // "[  FAILED  ] Name" lines (no timing) come after, with no test running.
        std::string_view rest = line.substr(13);
        if (rest.substr(0, current_.size()) != current_ || rest.find(" ms)") == std::string_view::npos) {
            capture(raw);
            return std::nullopt;
        }
        // gtest's own timing, in whole milliseconds: the runner's clock would
        // measure pipe buffering as much as the test. It is used only when the
        // line holds no such number (nan, -1, 1e999 from a hostile binary).
        const auto open = rest.rfind('(');
        std::optional<double> ms;
        if (open != std::string_view::npos) ms = parse_duration(rest.substr(open + 1, rest.rfind(" ms)") - open - 1));
        return finish(ms ? *ms / 1000.0 : elapsed(), failed, skipped, exception_ ? "exception" : "assertion");
    }
    capture(raw);
    if (current_.empty()) return std::nullopt;
    // The first failure: its "file:line: Failure" location, then its message
    // up to the next failure's location.
    std::string file;
    std::int64_t lineno = 0;
    const bool unknown = line == "unknown file: Failure";
    if (unknown || parse_location(line, file, lineno)) {
        collecting_ = !seen_failure_;
        if (!seen_failure_ && !unknown) {
            failure_file_ = file;
            failure_line_ = lineno;
        }
        seen_failure_ = true;
        return std::nullopt;
    }
    if (collecting_) {
        if (starts_with(line, "C++ exception with description") || starts_with(line, "Unknown C++ exception"))
            exception_ = true;
        if (message_.size() < 2048) message_ += std::string(line) + "\n";
    }
    return std::nullopt;
}

std::string xml_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        const auto semi = s.find(';', i);
        if (semi == std::string_view::npos) {
            out += s[i];
            continue;
        }
        const std::string_view ent = s.substr(i + 1, semi - i - 1);
        if (ent == "lt") out += '<';
        else if (ent == "gt") out += '>';
        else if (ent == "amp") out += '&';
        else if (ent == "quot") out += '"';
        else if (ent == "apos") out += '\'';
        else if (!ent.empty() && ent[0] == '#') {
            std::uint32_t code = 0;
            const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
            const std::string_view digits = ent.substr(hex ? 2 : 1);
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
            if (digits.empty() || end != digits.data() + digits.size())
                out.append(s.substr(i, semi - i + 1));  // no number: not a reference, kept as written
            else
                append_utf8(out, ec == std::errc{} ? code : 0x110000);
        } else {
            out.append(s.substr(i, semi - i + 1));
        }
        i = semi;
    }
    return out;
}

std::optional<std::string> xml_attribute(std::string_view tag, std::string_view name) {
    const std::string key = " " + std::string(name) + "=\"";
    const auto at = tag.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    const auto begin = at + key.size();
    const auto end = tag.find('"', begin);
    if (end == std::string_view::npos) return std::nullopt;
    return xml_unescape(tag.substr(begin, end - begin));
}

std::optional<TestEnd> Catch2XmlOutputParser::feed(std::string_view raw) {
    // A test name with a line break spreads its start tag over lines (Catch2
    // writes \n and \r raw): gather them until the quotes close.
    constexpr std::size_t max_tag = 1 << 20;
    if (!open_tag_.empty()) {
        open_tag_ += '\n';
        open_tag_.append(raw.substr(0, max_tag));
        if (std::count(open_tag_.begin(), open_tag_.end(), '"') % 2 == 1 && open_tag_.size() < max_tag)
            return std::nullopt;
        const std::string tag = std::move(open_tag_);
        open_tag_.clear();
        return feed(tag);
    }
    const std::string_view line = trim(raw);
    if (starts_with(line, "<TestCase ") && std::count(line.begin(), line.end(), '"') % 2 == 1 && line.size() < max_tag) {
        open_tag_.assign(raw);
        return std::nullopt;
    }
    if (starts_with(line, "<TestCase ")) {
        start(xml_attribute(line, "name").value_or(""));
        file_ = xml_attribute(line, "filename").value_or("");
        line_ = parse_line_number(xml_attribute(line, "line").value_or(""));
        message_.clear();
        failure_file_.clear();
        failure_line_ = 0;
        kind_ = "assertion";
        want_text_ = false;
        return std::nullopt;
    }
    if (current_.empty()) return std::nullopt;
    if (starts_with(line, "<OverallResult ")) {
        const bool failed = xml_attribute(line, "success").value_or("true") == "false";
        const bool skipped = xml_attribute(line, "skips").value_or("0") != "0" && !failed;
        // Catch2's own timing; the runner's clock when it is missing or no
        // duration (nan, -5, 1e999).
        const auto attribute = xml_attribute(line, "durationInSeconds");
        const auto seconds = attribute ? parse_duration(*attribute) : std::nullopt;
        TestEnd end = finish(seconds ? *seconds : elapsed(), failed, skipped, kind_);
        end.file = file_;
        end.line = line_;
        return end;
    }
    capture(raw);
    if (!message_.empty()) return std::nullopt;
    auto note_location = [&] {
        if (!failure_file_.empty()) return;
        failure_file_ = xml_attribute(line, "filename").value_or("");
        failure_line_ = parse_line_number(xml_attribute(line, "line").value_or(""));
    };
    if (starts_with(line, "<Expression success=\"false\"")) {
        note_location();
        kind_ = "assertion";
    } else if (starts_with(line, "<Exception ") || starts_with(line, "<FatalErrorCondition ") ||
               (starts_with(line, "<Failure ") && failure_file_.empty())) {
        note_location();
        kind_ = starts_with(line, "<Exception ") ? "exception" : "assertion";
        if (starts_with(line, "<FatalErrorCondition ")) kind_ = "crash";  // Catch2 caught a signal
        // The text may follow on the same line: <Exception ...>text</Exception>
        const auto close = line.find('>');
        const auto end = line.rfind("</");
        if (close != std::string_view::npos && end != std::string_view::npos && end > close)
            message_ = xml_unescape(line.substr(close + 1, end - close - 1));
        else
            want_text_ = true;
    } else if (starts_with(line, "<Expanded>") && !failure_file_.empty()) {
        want_text_ = true;
    } else if (want_text_ && !line.empty() && line[0] != '<') {
        message_ = xml_unescape(line);
        want_text_ = false;
    }
    // "SIGSEGV - Segmentation violation signal" names the crash.
    if (kind_ == "crash" && !message_.empty()) kind_ = "crash:" + message_.substr(0, message_.find(' '));
    return std::nullopt;
}

}  // namespace pss::runner
