#include "block.hpp"

#include <algorithm>
#include <cstring>

#include "record_scanner.hpp"

namespace pss::ingest {

void Block::reserve(std::size_t bytes, std::size_t keep) {
    if (bytes <= capacity) return;
    const std::size_t grown = std::max(bytes, capacity + capacity / 2);
    auto bigger = std::make_unique_for_overwrite<char[]>(grown + parse_padding);
    if (keep > 0) std::memcpy(bigger.get(), text.get(), keep);
    std::memset(bigger.get() + grown, 0, parse_padding);
    text = std::move(bigger);
    capacity = grown;
}

namespace {

class BlockParser {
public:
    BlockParser(Block& block, RecordParser& parser) : b_(block), parser_(parser) {
        b_.record_count = 0;
        b_.malformed = 0;
        b_.first_malformed_line = 0;
        b_.first_malformed_reason.clear();
        b_.lines = 0;
    }

    void run() {
        if (b_.format == TraceFormat::ndjson) {
            if (b_.oversized > 0) {
                malformed(b_.oversized_line, b_.oversized_reason);
                b_.malformed += b_.oversized - 1;
            }
            lines();
        } else {
            for (const ArrayItem& item : b_.items) {
                if (item.problem != ArrayItem::no_problem)
                    malformed(item.line, b_.reasons[item.problem]);
                else
                    handle(item.begin, item.end, item.line);
            }
        }
    }

private:
    void handle(std::size_t begin, std::size_t end, std::uint64_t line) {
        if (b_.record_count == b_.records.size()) b_.records.emplace_back();
        TraceRecord& record = b_.records[b_.record_count];
        if (parser_.parse(b_.text.get() + begin, end - begin, b_.capacity + parse_padding - begin, record, why_))
            ++b_.record_count;
        else
            malformed(line, why_);
    }

    void malformed(std::uint64_t line, const std::string& why) {
        if (b_.malformed++ == 0) {
            b_.first_malformed_line = line;
            b_.first_malformed_reason = why;
        }
    }

    // One record a line; blank lines are not records. Lines are counted from
    // the block's first, the consumer adds the lines before it.
    void lines() {
        const char* data = b_.text.get();
        const std::size_t size = b_.size;
        std::size_t pos = 0;
        std::uint64_t line = b_.dropped_lines;
        while (pos < size) {
            ++line;
            const auto* nl = static_cast<const char*>(std::memchr(data + pos, '\n', size - pos));
            const std::size_t end = nl ? static_cast<std::size_t>(nl - data) : size;
            std::size_t b = pos, e = end;
            while (b < e && detail::is_space(data[b])) ++b;
            while (e > b && detail::is_space(data[e - 1])) --e;
            if (b < e) {
                // Only the input's last line can lack its newline.
                if (!nl && data[e - 1] != '}')
                    malformed(line, "truncated record at end of file");
                else
                    handle(b, e, line);
            }
            pos = end + 1;
        }
        b_.lines = line;
    }

    Block& b_;
    RecordParser& parser_;
    std::string why_;
};

}  // namespace

void parse_block(Block& block, RecordParser& parser) { BlockParser(block, parser).run(); }

}  // namespace pss::ingest
