// The text of a trace file as a stream of bytes, decompressed on the way when
// the file is gzip or zstd (recognised by their magic bytes, whatever the
// file is called). Read in large chunks; never holds the whole file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "pss/ingest/trace_reader.hpp"

namespace pss::ingest {

class ByteSource {
public:
    virtual ~ByteSource() = default;

    // Up to `capacity` bytes of text into `out`; 0 at the end. Throws
    // TraceFileError when the file cannot be read.
    virtual std::size_t read(char* out, std::size_t capacity) = 0;

    Compression compression() const noexcept { return compression_; }
    // Bytes of the file consumed so far (compressed bytes for .gz/.zst) and
    // its size, 0 when unknown: what progress is measured in.
    std::uint64_t consumed() const noexcept { return consumed_; }
    std::uint64_t size() const noexcept { return size_; }
    // Why the text ended before the file did (truncated or corrupt
    // compressed data), or empty.
    const std::string& problem() const noexcept { return problem_; }

protected:
    Compression compression_ = Compression::none;
    std::uint64_t consumed_ = 0, size_ = 0;
    std::string problem_;
};

// Throws TraceFileError when the file cannot be opened or is a directory.
std::unique_ptr<ByteSource> open_trace_source(const std::filesystem::path& path);

// Text already in memory (tests, stdin); `text` must outlive the source.
std::unique_ptr<ByteSource> memory_source(std::string_view text);

}  // namespace pss::ingest
