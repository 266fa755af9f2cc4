#include "block_framer.hpp"

#include <cstring>

#include <fmt/format.h>

#include "record_scanner.hpp"

namespace pss::ingest {

using detail::RecordScanner;

BlockFramer::BlockFramer(ByteSource& source, std::size_t block_bytes)
    : source_(source), block_bytes_(std::max<std::size_t>(block_bytes, 64)) {}

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
    for (;;) {
        RecordScanner scan(b.text.get(), b.size);
        scan.skip_whitespace();
        const bool more_to_read = !eof_;
        auto read_more = [&] { fill(b, b.size + block_bytes_); };
        if (scan.at_end()) {
            if (more_to_read) {
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
            line_ = scan.line();
        } else if (scan.peek() == '{') {
            RecordScanner body = scan;
            if (body.find_top_level_array("traces")) {
                format_ = TraceFormat::pypss_object;
                start = body.position();
                line_ = body.line();
            } else {
                if (body.at_end() && more_to_read) {
                    read_more();
                    continue;
                }
                const char* begin = b.text.get() + scan.position();
                const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', b.size - scan.position()));
                if (!nl && more_to_read) {
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
            return b.size > 0;
        }
        if (const void* last = memrchr(b.text.get(), '\n', b.size)) {
            const auto cut = static_cast<std::size_t>(static_cast<const char*>(last) - b.text.get()) + 1;
            carry_.assign(b.text.get() + cut, b.size - cut);
            b.size = cut;
            return true;
        }
        fill(b, b.size + block_bytes_);  // a line longer than a block
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

}  // namespace pss::ingest
