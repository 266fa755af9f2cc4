// A trace file that belongs to one process (PSS_MAPPED_FILES, which pss-run
// sets, giving every test process a file of its own). A record is copied
// into a staging area, a shared mapping of the file's start, so writing one
// is a memcpy, not a system call; a full staging area is written out after
// it with one pwrite(2) (every ~350 trivial tests at 64 KiB). Pages of the
// page cache are what a record is copied into either way, so a record
// copied before the process crashes, is killed (SIGKILL) or calls exit() is
// in the file for readers. The layout (staged_magic) is in
// pss/record/packed_record.hpp.
//
// Why not map the whole file as it grows: every 4 KiB of records then cost a
// page fault with the file system's bookkeeping (reserve, zero-fill, make
// writable, cut back at exit), ~0.17 us a test on ext4; a batch written with
// pwrite costs a third of that, and the staging pages are reused.
//
// The file is created here (O_EXCL: a file that exists belongs to someone
// else, see open_owned_file_collector) and its header and staging area are
// written (zeros) before they are mapped, so the mapping never raises
// SIGBUS; a full disk is an error from pwrite, at the start or when a batch
// is written out, and the records in the staging area stay readable.
//
// A child forked after the file was mapped (a fork-style death test) writes
// nothing: the mapping is its parent's. Where the file cannot be mapped, it
// is a plain packed one (packed_magic), each frame written with pwrite(2).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "pss/collect/collector.hpp"
#include "pss/record/packed_record.hpp"

namespace pss::collect {

class MappedFileCollector final : public Collector {
public:
    // Creates `path`. Throws std::system_error (errno EEXIST when it exists).
    explicit MappedFileCollector(std::string path);
    ~MappedFileCollector() override;

    // Packs `record` into the staging area. Throws std::system_error when a
    // batch cannot be written (a full disk).
    bool submit_packed(const TraceRecord& record) override;
    // JSON has no place in a packed file: counted as dropped, with why.
    void submit(std::string json) override;
    // Writes out the staging area (the process is ending); records
    // submitted later are staged as before.
    void close(double seconds) override;
    CollectorStats stats() const override;
    std::string describe() const override { return "file:" + path_; }

    static constexpr std::size_t staging_bytes = std::size_t{1} << 16;

private:
    bool accepts() noexcept;  // counts the submission, or the drop
    char* stage(std::size_t frame_bound);  // room for a frame in the staging area, or null
    void publish_frame(char* at, std::size_t size) noexcept;  // the frame staged at `at` is whole
    void spill();  // the staging area's frames, written out after it
    void write_frame(std::string_view packed);  // alone, after what is staged
    void write_out(std::string_view bytes);
    void publish(std::size_t offset, std::uint64_t value) noexcept;
    void unmap() noexcept;

    std::string path_;
    int fd_ = -1;
    char* map_ = nullptr;          // the header and the staging area
    std::size_t staged_ = 0;       // bytes of frames in the staging area
    std::uint64_t spilled_ = 0;    // bytes of frames written out
    std::uint64_t end_ = 0;        // where the next frame is written out
    PackedRepeats repeats_;        // of the last record written: what the next may refer to
    mutable std::mutex mutex_;
    CollectorStats stats_;
};

}  // namespace pss::collect
