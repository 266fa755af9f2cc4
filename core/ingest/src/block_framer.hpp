// Cuts the text of a trace file into blocks of whole records, in file order,
// after deciding its format on the first bytes: NDJSON blocks end after a
// newline; array blocks (a JSON array, or the "traces" array of a pypss
// object) end after a complete element, with the elements and any malformed
// stretches between them listed in order.
#pragma once

#include <cstdint>
#include <string>

#include "block.hpp"
#include "byte_source.hpp"

namespace pss::ingest {

class BlockFramer {
public:
    BlockFramer(ByteSource& source, std::size_t block_bytes, std::size_t max_record_bytes = std::size_t{1} << 20);

    // Fills `block` with the next records; false when the input has no more.
    // Throws TraceFileError when the input is not a trace file.
    bool next(Block& block);

    TraceFormat format() const noexcept { return format_; }
    std::uint64_t text_bytes() const noexcept { return text_bytes_; }
    // Why reading stopped before the input ended (a NUL-filled tail), or empty.
    const std::string& stopped() const noexcept { return stopped_; }

private:
    enum class Walk { done, cut, need_more };

    void fill(Block& block, std::size_t want);
    void detect(Block& block);
    bool next_lines(Block& block);
    bool next_elements(Block& block);
    Walk walk_elements(Block& block, std::size_t& cut, std::uint64_t& cut_line);
    // Reads past the rest of an NDJSON line too long to keep; false at the end
    // of the input (or of its useful part: only NUL bytes since the line began).
    bool skip_rest_of_line(Block& block, std::size_t skipped);
    // Reads past the rest of an array element too long to keep (JSON
    // structure followed byte by byte, nothing kept); false at the end.
    bool skip_rest_of_element(Block& block);

    ByteSource& source_;
    std::size_t block_bytes_;
    std::size_t max_record_bytes_;
    std::string stopped_;
    // An array element skipped as too long, reported with the next block.
    std::string pending_reason_;
    std::uint64_t pending_line_ = 0;
    std::string carry_;  // text read but not yet framed: the start of the next block
    std::uint64_t line_ = 1;  // arrays: the file line where carry_ starts
    std::uint64_t text_bytes_ = 0;
    TraceFormat format_ = TraceFormat::ndjson;
    bool eof_ = false, detected_ = false, finished_ = false;
};

}  // namespace pss::ingest
