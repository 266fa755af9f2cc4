// A trace file that belongs to one process (PSS_MAPPED_FILES, which pss-run
// sets, giving every test process a file of its own): records are copied
// into a shared mapping of the file, so writing one is a memcpy, not a system
// call. The pages are the page cache's, so a record copied before the process
// crashes, is killed (SIGKILL) or calls exit() is in the file for readers.
//
// The file is created here (O_EXCL: a file that exists belongs to someone
// else, see open_owned_file_collector) and reserved ahead in chunks
// (fallocate(2): a full disk is an error here, never a SIGBUS later), so the
// file ends in NUL bytes until close() cuts it to its records.
//
// Records are packed (pss/record/packed_record.hpp), not JSON lines: the file
// starts with the packed magic and each submission is one frame, its size
// stored last; a reader of a killed process's file stops at a size of 0.
//
// A child forked after the file was mapped (a fork-style death test) writes
// nothing: the mapping is its parent's. Where the file system has no
// fallocate or mmap, frames are written with pwrite(2) at the end instead.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "pss/collect/collector.hpp"

namespace pss::collect {

class MappedFileCollector final : public Collector {
public:
    // Creates `path`. Throws std::system_error (errno EEXIST when it exists).
    explicit MappedFileCollector(std::string path);
    ~MappedFileCollector() override;

    // A packed record (pack_record's bytes, a multiple of 4), not JSON.
    // Throws std::system_error when the file cannot grow (a full disk).
    void submit(std::string packed) override { submit_view(packed); }
    void submit_view(std::string_view packed) override;
    bool takes_packed_records() const override { return true; }
    // Unmaps and cuts the file to its records; later records are written
    // with pwrite(2) after them.
    void close(double seconds) override;
    CollectorStats stats() const override;
    std::string describe() const override { return "file:" + path_; }

    // The file grows 1 MiB at a time: each step's pages are filled (populated)
    // at once, and doubling steps filled pages no record used (8 MiB of page
    // cache for 4.3 MB of records), which the cut at exit then gave back.
    static constexpr std::size_t chunk_bytes = std::size_t{1} << 20;

private:
    void grow(std::size_t needed);
    void unmap() noexcept;
    void append_with_pwrite(std::string_view frame_size, std::string_view packed);

    std::string path_;
    int fd_ = -1;
    char* map_ = nullptr;
    std::size_t mapped_ = 0;  // bytes mapped and reserved in the file
    std::size_t used_ = 0;    // bytes of records
    mutable std::mutex mutex_;
    CollectorStats stats_;
};

}  // namespace pss::collect
