// A block: a run of whole records cut from the input, and what parsing them
// gave. Blocks are filled in file order by the framer, parsed independently
// (possibly in parallel), and handed to the sink in file order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pss/ingest/trace_reader.hpp"
#include "record_parser.hpp"

namespace pss::ingest {

// A record of an array (its bytes in the block's text), or a malformed stretch
// the framer found between records.
struct ArrayItem {
    static constexpr std::size_t no_problem = SIZE_MAX;
    std::size_t begin = 0, end = 0;     // a record's text in the block
    std::uint64_t line = 0;             // 1-based, in the file
    std::size_t problem = no_problem;   // else the index of the reason in Block::reasons
};

struct Block {
    // Text, then parse_padding readable bytes.
    std::unique_ptr<char[]> text;
    std::size_t capacity = 0;  // of `text`, padding excluded
    std::size_t size = 0;

    TraceFormat format = TraceFormat::ndjson;
    // NDJSON: the text is whole lines (the last one may lack its newline
    // when the block ends the input); line numbers are counted from the
    // block's first line, and the consumer adds the lines before it.
    bool ends_input = false;
    std::uint64_t lines = 0;  // newline-separated lines in the block, set by parsing
    // Arrays: the records and problems in order, with file line numbers.
    std::vector<ArrayItem> items;
    std::vector<std::string> reasons;

    std::uint64_t input_consumed = 0;  // ByteSource::consumed() when the block was cut

    // NDJSON lines before the text that the framer read past without keeping
    // them: blank lines, and records longer than max_record_bytes (each a
    // malformed record, the first at `oversized_line` of the block's lines).
    std::uint64_t dropped_lines = 0;
    std::uint64_t oversized = 0;
    std::uint64_t oversized_line = 0;
    std::string oversized_reason;

    // Parsing's output: the good records in order, and the malformed ones.
    std::vector<TraceRecord> records;
    std::size_t record_count = 0;
    std::uint64_t malformed = 0;
    std::uint64_t first_malformed_line = 0;
    std::string first_malformed_reason;

    // Makes room for `bytes` of text (and the padding), keeping the first `keep`.
    void reserve(std::size_t bytes, std::size_t keep);
};

// Parses every record of the block into block.records.
void parse_block(Block& block, RecordParser& parser);

}  // namespace pss::ingest
