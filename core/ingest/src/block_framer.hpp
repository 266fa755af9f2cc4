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
    BlockFramer(ByteSource& source, std::size_t block_bytes);

    // Fills `block` with the next records; false when the input has no more.
    // Throws TraceFileError when the input is not a trace file.
    bool next(Block& block);

    TraceFormat format() const noexcept { return format_; }
    std::uint64_t text_bytes() const noexcept { return text_bytes_; }

private:
    enum class Walk { done, cut, need_more };

    void fill(Block& block, std::size_t want);
    void detect(Block& block);
    bool next_lines(Block& block);
    bool next_elements(Block& block);
    Walk walk_elements(Block& block, std::size_t& cut, std::uint64_t& cut_line);

    ByteSource& source_;
    std::size_t block_bytes_;
    std::string carry_;  // text read but not yet framed: the start of the next block
    std::uint64_t line_ = 1;  // arrays: the file line where carry_ starts
    std::uint64_t text_bytes_ = 0;
    TraceFormat format_ = TraceFormat::ndjson;
    bool eof_ = false, detected_ = false, finished_ = false;
};

}  // namespace pss::ingest
