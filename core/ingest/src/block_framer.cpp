#include "block_framer.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "record_scanner.hpp"

namespace pss::ingest {

using detail::RecordScanner;

BlockFramer::BlockFramer(ByteSource& source, std::size_t block_bytes, std::size_t max_record_bytes)
    : source_(source),
      block_bytes_(std::max<std::size_t>(block_bytes, 64)),
      max_record_bytes_(std::max<std::size_t>(max_record_bytes, 64)) {}

namespace {

std::string size_text(std::uint64_t bytes) {
    if (bytes >= (1u << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
    return fmt::format("{} bytes", bytes);
}

bool all_nul(const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] != '\0') return false;
    return true;
}

}  // namespace

void BlockFramer::fill(Block& b, std::size_t want) {
    b.reserve(want, b.size);
    while (b.size < want && !eof_) {
        const std::size_t n = source_.read(b.text.get() + b.size, b.capacity - b.size);
        if (n == 0) eof_ = true;
        b.size += n;
        text_bytes_ += n;
    }
}

bool BlockFramer::next(Block& b) {
    if (finished_) return false;
    b.size = 0;
    b.reserve(std::max(block_bytes_, carry_.size()), 0);
    std::memcpy(b.text.get(), carry_.data(), carry_.size());
    b.size = carry_.size();
    carry_.clear();
    b.items.clear();
    b.reasons.clear();
    b.ends_input = false;
    b.dropped_lines = 0;
    b.oversized = 0;
    b.oversized_line = 0;
    b.oversized_reason.clear();
    if (!detected_) detect(b);
    b.format = format_;
    const bool more = format_ == TraceFormat::ndjson ? next_lines(b) : next_elements(b);
    b.input_consumed = source_.consumed();
    return more;
}

// The format, as the whole-file reader always decided it: '[' is an array;
// '{' is pypss's object when it has a top-level "traces" array, NDJSON when
// its first line is a whole value, and no trace file otherwise; anything
// else is NDJSON (and its lines malformed).
void BlockFramer::detect(Block& b) {
    detected_ = true;
    // A UTF-8 byte order mark (some editors and PowerShell write one) is not text.
    fill(b, std::max<std::size_t>(b.size, 3));
    if (b.size >= 3 && std::memcmp(b.text.get(), "\xEF\xBB\xBF", 3) == 0) {
        std::memmove(b.text.get(), b.text.get() + 3, b.size - 3);
        b.size -= 3;
    }
    for (;;) {
        RecordScanner scan(b.text.get(), b.size);
        scan.skip_whitespace();
        const bool more_to_read = !eof_;
        auto read_more = [&] { fill(b, b.size + block_bytes_); };
        if (scan.at_end()) {
            if (more_to_read) {
                // Only blank so far: keep the count of lines, not the text.
                b.dropped_lines += static_cast<std::uint64_t>(std::count(b.text.get(), b.text.get() + b.size, '\n'));
                b.size = 0;
                read_more();
                continue;
            }
            format_ = TraceFormat::ndjson;
            return;
        }
        std::size_t start = 0;
        if (scan.peek() == '[') {
            scan.advance();
            format_ = TraceFormat::json_array;
            start = scan.position();
            line_ = b.dropped_lines + scan.line();
            b.dropped_lines = 0;
        } else if (scan.peek() == '{') {
            RecordScanner body = scan;
            if (body.find_top_level_array("traces")) {
                format_ = TraceFormat::pypss_object;
                start = body.position();
                line_ = b.dropped_lines + body.line();
                b.dropped_lines = 0;
            } else {
                if (body.at_end() && more_to_read && b.size >= max_record_bytes_) {
                    format_ = TraceFormat::ndjson;  // a first line too long to look into: NDJSON, skipped below
                    return;
                }
                if (body.at_end() && more_to_read) {
                    read_more();
                    continue;
                }
                const char* begin = b.text.get() + scan.position();
                const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', b.size - scan.position()));
                if (!nl && more_to_read) {
                    if (b.size >= max_record_bytes_) {
                        format_ = TraceFormat::ndjson;
                        return;
                    }
                    read_more();
                    continue;
                }
                RecordScanner first_line(begin, nl ? static_cast<std::size_t>(nl - begin) : b.size - scan.position());
                if (!first_line.skip_value())
                    throw TraceFileError("not a trace file: a JSON object without a \"traces\" array. "
                                         "Expected NDJSON (one record a line), a JSON array of records, "
                                         "or pypss's {\"traces\": [...]}");
                format_ = TraceFormat::ndjson;
                return;
            }
        } else {
            format_ = TraceFormat::ndjson;
            return;
        }
        // An array: its elements start the first block.
        std::memmove(b.text.get(), b.text.get() + start, b.size - start);
        b.size -= start;
        return;
    }
}

bool BlockFramer::next_lines(Block& b) {
    fill(b, block_bytes_);
    for (;;) {
        if (eof_) {
            finished_ = true;
            b.ends_input = true;
            return b.size > 0 || b.oversized > 0 || b.dropped_lines > 0;
        }
        if (const void* last = memrchr(b.text.get(), '\n', b.size)) {
            const auto cut = static_cast<std::size_t>(static_cast<const char*>(last) - b.text.get()) + 1;
            carry_.assign(b.text.get() + cut, b.size - cut);
            b.size = cut;
            return true;
        }
        if (b.size >= max_record_bytes_) {
            // The whole block is one line, too long to keep: read past its end.
            if (b.oversized++ == 0) b.oversized_line = b.dropped_lines + 1;
            ++b.dropped_lines;
            const std::size_t so_far = b.size;
            const bool more = skip_rest_of_line(b, so_far);
            if (!stopped_.empty()) b.oversized_reason = stopped_;
            if (!more) {
                finished_ = true;
                b.ends_input = true;
                return true;
            }
            continue;  // b holds what followed the long line
        }
        fill(b, b.size + block_bytes_);  // a line longer than a block
    }
}

bool BlockFramer::skip_rest_of_line(Block& b, std::size_t skipped) {
    bool nul_only = all_nul(b.text.get(), b.size);
    std::uint64_t total = skipped;
    for (;;) {
        b.size = 0;
        fill(b, block_bytes_);
        if (b.size == 0) {
            if (b.oversized_reason.empty())
                b.oversized_reason = fmt::format("record longer than {} (the limit is {}): not read",
                                                 size_text(total), size_text(max_record_bytes_));
            return false;
        }
        const auto* nl = static_cast<const char*>(std::memchr(b.text.get(), '\n', b.size));
        if (nl != nullptr) {
            const auto after = static_cast<std::size_t>(nl - b.text.get()) + 1;
            total += after;
            std::memmove(b.text.get(), b.text.get() + after, b.size - after);
            b.size -= after;
            if (b.oversized_reason.empty())
                b.oversized_reason = fmt::format("record longer than {} (the limit is {}): not read",
                                                 size_text(total), size_text(max_record_bytes_));
            return true;
        }
        nul_only = nul_only && all_nul(b.text.get(), b.size);
        total += b.size;
        if (nul_only) {
            // Zeros with no end in sight: a file a crash cut short, or /dev/zero.
            stopped_ = fmt::format("the input goes on with NUL bytes only (a file a crash cut short?): stopped "
                                   "reading {} into them",
                                   size_text(total));
            b.size = 0;
            return false;
        }
    }
}

bool BlockFramer::next_elements(Block& b) {
    fill(b, block_bytes_);
    for (;;) {
        std::size_t cut = 0;
        std::uint64_t cut_line = 0;
        switch (walk_elements(b, cut, cut_line)) {
            case Walk::done:
                finished_ = true;  // whatever follows the array is not read
                return true;
            case Walk::cut:
                carry_.assign(b.text.get() + cut, b.size - cut);
                b.size = cut;
                line_ = cut_line;
                return true;
            case Walk::need_more:
                if (b.size >= max_record_bytes_ && !eof_) {
                    // The first element is too long to keep: read past it.
                    pending_line_ = line_;
                    const std::uint64_t skipped = b.size;
                    if (!skip_rest_of_element(b)) {
                        pending_reason_ = fmt::format("record longer than {} (the limit is {}) at the end of the "
                                                      "input: not read",
                                                      size_text(skipped), size_text(max_record_bytes_));
                        b.size = 0;
                    }
                    break;
                }
                fill(b, b.size + block_bytes_);  // an element longer than a block
                break;
        }
    }
}

// The element loop of the array reader, over a block that may end in the
// middle of an element: then it stops at the last complete element (cut), or
// asks for more text when there is none yet (need_more). At the true end of
// the input it reports what is missing, as the whole-file reader did.
BlockFramer::Walk BlockFramer::walk_elements(Block& b, std::size_t& cut, std::uint64_t& cut_line) {
    RecordScanner scan(b.text.get(), b.size, line_);
    b.items.clear();
    b.reasons.clear();
    std::size_t items_kept = 0, reasons_kept = 0;
    auto problem = [&b](std::uint64_t line, std::string reason) {
        b.items.push_back(ArrayItem{0, 0, line, b.reasons.size()});
        b.reasons.push_back(std::move(reason));
    };
    auto stop_here = [&]() {
        b.items.resize(items_kept);
        b.reasons.resize(reasons_kept);
        return items_kept == 0 ? Walk::need_more : Walk::cut;
    };
    const bool at_eof = eof_;
    if (!pending_reason_.empty()) {  // an element skipped as too long, before this text
        problem(pending_line_, pending_reason_);
        pending_reason_.clear();
    }
    for (;;) {
        items_kept = b.items.size();
        reasons_kept = b.reasons.size();
        cut = scan.position();
        cut_line = scan.line();

        scan.skip_whitespace();
        if (scan.at_end()) {
            if (!at_eof) return stop_here();
            problem(scan.line(), "file ends inside the array (truncated?)");
            return Walk::done;
        }
        if (scan.peek() == ']') return Walk::done;
        const std::size_t begin = scan.position();
        const std::uint64_t line = scan.line();
        if (!scan.skip_value()) {
            if (!at_eof) return stop_here();
            problem(line, "truncated record at end of file");
            return Walk::done;
        }
        if (scan.at_end() && !at_eof) return stop_here();  // a number may go on
        b.items.push_back(ArrayItem{begin, scan.position(), line, ArrayItem::no_problem});
        scan.skip_whitespace();
        if (scan.at_end()) {
            if (!at_eof) return stop_here();
            problem(scan.line(), "file ends inside the array (truncated?)");
            return Walk::done;
        }
        if (scan.peek() == ',') {
            scan.advance();
            continue;
        }
        if (scan.peek() == ']') return Walk::done;
        // Resynchronise on the next comma so one bad element costs one record.
        problem(scan.line(), fmt::format("expected ',' or ']' but found '{}'", scan.peek()));
        if (!scan.skip_to_next_element()) {
            if (scan.at_end() && !at_eof) return stop_here();
            return Walk::done;
        }
    }
}

bool BlockFramer::skip_rest_of_element(Block& b) {
    // JSON structure byte by byte: depth of objects and arrays, strings and
    // their escapes. The element ends where a ',' or a ']' follows it at depth 0.
    int depth = 0;
    bool in_string = false, escaped = false, started = false;
    std::uint64_t total = 0, newlines = 0;
    for (;;) {
        for (std::size_t i = 0; i < b.size; ++i) {
            const char c = b.text.get()[i];
            if (c == '\n') ++newlines;
            bool ends_before = false;
            if (in_string) {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == '"') in_string = false;
            } else if (c == '"') {
                in_string = started = true;
            } else if (c == '{' || c == '[') {
                ++depth;
                started = true;
            } else if (c == '}' || c == ']') {
                if (depth == 0) ends_before = true;
                else --depth;
            } else if (c == ',' && depth == 0) {
                ends_before = true;
            } else if (!detail::is_space(c)) {
                started = true;
            }
            if (ends_before && started) {
                pending_reason_ = fmt::format("record longer than {} (the limit is {}): not read",
                                              size_text(total + i), size_text(max_record_bytes_));
                line_ += newlines;
                if (c == ',') ++i;  // the walk goes on with the next element
                std::memmove(b.text.get(), b.text.get() + i, b.size - i);
                b.size -= i;
                return true;
            }
        }
        total += b.size;
        if (all_nul(b.text.get(), b.size) && total > max_record_bytes_) {
            stopped_ = fmt::format("the input goes on with NUL bytes only (a file a crash cut short?): stopped "
                                   "reading {} into them",
                                   size_text(total));
            return false;
        }
        b.size = 0;
        fill(b, block_bytes_);
        if (b.size == 0) return false;
    }
}

}  // namespace pss::ingest
