#include "mapped_file_collector.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "pss/record/packed_record.hpp"

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define PSS_HAVE_SINGLE_THREADED 1
#else
#define PSS_HAVE_SINGLE_THREADED 0
#endif

namespace pss::collect {

namespace {

// The mutex for a record, unless the process never started a thread (glibc's
// __libc_single_threaded): then this thread is the only one that submits,
// and the mutex's two locked instructions are saved on every test.
std::unique_lock<std::mutex> lock_for_a_record(std::mutex& mutex) {
#if PSS_HAVE_SINGLE_THREADED
    if (__libc_single_threaded != 0) return std::unique_lock<std::mutex>(mutex, std::defer_lock);
#endif
    return std::unique_lock<std::mutex>(mutex);
}

std::atomic<bool> g_forked{false};
void mark_forked() noexcept { g_forked.store(true, std::memory_order_relaxed); }

constexpr std::size_t spilled_at = 8, base_at = 16, staging_size_at = 24;
constexpr std::size_t mapped_bytes = staged_header_bytes + MappedFileCollector::staging_bytes;

std::system_error file_error(int error, const std::string& what, const std::string& path) {
    return std::system_error(error, std::generic_category(), what + " '" + path + "'");
}

}  // namespace

MappedFileCollector::MappedFileCollector(std::string path) : path_(std::move(path)) {
    static const bool fork_handler = ::pthread_atfork(nullptr, nullptr, mark_forked) == 0;
    if (!fork_handler) throw std::system_error(ENOMEM, std::generic_category(), "pthread_atfork");
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throw file_error(errno, "cannot create trace file", path_);
    try {
        // Zeros written, not fallocate'd: the pages are then in the page
        // cache with their blocks reserved, so writing through the mapping
        // never raises SIGBUS on a full disk, and costs a minor fault per
        // page instead of a read-in of unwritten extents and a write fault
        // (~20 us instead of ~55 for the 64 KiB on ext4).
        static char zeros[mapped_bytes];  // not const: in .bss, not 64 KiB of every test binary
        write_out(std::string_view(zeros, sizeof zeros));
        void* map = ::mmap(nullptr, mapped_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        if (map != MAP_FAILED) {
            map_ = static_cast<char*>(map);
            const auto size = static_cast<std::uint32_t>(staging_bytes);
            std::memcpy(map_ + staging_size_at, &size, 4);
            // The magic last, its last byte released: a reader that sees it
            // sees the header.
            std::memcpy(map_, staged_magic.data(), staged_magic.size() - 1);
            __atomic_store_n(map_ + staged_magic.size() - 1, staged_magic.back(), __ATOMIC_RELEASE);
        } else {
            // No mmap here: a plain packed file, a pwrite per frame.
            if (::ftruncate(fd_, 0) != 0) throw file_error(errno, "cannot write to trace file", path_);
            end_ = 0;
            write_out(packed_magic);
        }
    } catch (...) {
        unmap();
        ::close(fd_);
        fd_ = -1;
        throw;
    }
}

MappedFileCollector::~MappedFileCollector() {
    close(0);
    unmap();
    if (fd_ >= 0) ::close(fd_);
}

void MappedFileCollector::unmap() noexcept {
    if (map_ != nullptr) ::munmap(map_, mapped_bytes);
    map_ = nullptr;
}

void MappedFileCollector::publish(std::size_t offset, std::uint64_t value) noexcept {
    __atomic_store_n(reinterpret_cast<std::uint64_t*>(map_ + offset), value, __ATOMIC_RELEASE);
}

// One pwrite where it can: a crash leaves a frame whole or past what the
// header (or, in a plain file, the last whole frame) says is there.
void MappedFileCollector::write_out(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(end_ + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw file_error(errno, "cannot write to trace file", path_);
        }
        done += static_cast<std::size_t>(n);
    }
    end_ += done;
}

void MappedFileCollector::spill() {
    if (staged_ == 0) return;
    write_out(std::string_view(map_ + staged_header_bytes, staged_));
    spilled_ += staged_;
    publish(spilled_at, spilled_);  // from here readers skip the staging area...
    std::memset(map_ + staged_header_bytes, 0, 4);  // (the frames after the first are never reached)
    publish(base_at, spilled_);  // ...and from here it is empty and current again
    staged_ = 0;
}

bool MappedFileCollector::accepts() noexcept {
    if (fd_ < 0 || g_forked.load(std::memory_order_relaxed)) {
        ++stats_.dropped;
        return false;
    }
    ++stats_.submitted;
    return true;
}

// The frame's size last, and 4-byte aligned (the header and every frame are
// multiples of 4): a frame whose size reads non-zero is whole. The size after
// it is zeroed first, so a reader stops there, not at a frame left from
// before the last batch was written out.
void MappedFileCollector::publish_frame(char* at, std::size_t size) noexcept {
    const std::size_t next = staged_ + 4 + size;
    if (next + 4 <= staging_bytes) std::memset(at + 4 + size, 0, 4);
    __atomic_store_n(reinterpret_cast<std::uint32_t*>(at), static_cast<std::uint32_t>(size), __ATOMIC_RELEASE);
    staged_ = next;
}

char* MappedFileCollector::stage(std::size_t frame_bound) {
    if (map_ == nullptr || frame_bound > staging_bytes) return nullptr;
    if (staged_ + frame_bound > staging_bytes) spill();
    return map_ + staged_header_bytes + staged_;
}

void MappedFileCollector::write_frame(std::string_view packed) {
    // A plain file, or a record larger than the staging area.
    if (map_ != nullptr) spill();
    const auto size = static_cast<std::uint32_t>(packed.size());
    std::string bytes(reinterpret_cast<const char*>(&size), 4);
    bytes.append(packed);
    write_out(bytes);
    if (map_ != nullptr) {
        spilled_ += bytes.size();
        publish(spilled_at, spilled_);
        publish(base_at, spilled_);  // the staging area is empty
    }
}

bool MappedFileCollector::submit_packed(const TraceRecord& record) {
    const auto lock = lock_for_a_record(mutex_);  // threads of this process
    if (!accepts()) return true;
    try {
        const std::size_t bound = packed_bound(record);  // the frame's size included
        // References to the previous record in staged files only: a plain
        // one (packed_magic) stays as readers before them read it.
        PackedRepeats* repeats = map_ != nullptr ? &repeats_ : nullptr;
        if (char* at = stage(bound)) {
            publish_frame(at, static_cast<std::size_t>(pack_record(at + 4, record, repeats) - (at + 4)));
        } else {
            std::string packed(bound, '\0');
            packed.resize(static_cast<std::size_t>(pack_record(packed.data(), record, repeats) - packed.data()));
            write_frame(packed);
        }
    } catch (...) {
        repeats_ = {};  // the record may not be in the file: the next refers to none
        ++stats_.dropped;
        throw;
    }
    ++stats_.delivered;
    return true;
}

void MappedFileCollector::submit(std::string) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.dropped;
    stats_.drop_reason = "a JSON record offered to a packed trace file (it takes records through submit_packed)";
}

void MappedFileCollector::close(double) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (map_ == nullptr || g_forked.load(std::memory_order_relaxed)) return;
    try {
        spill();
    } catch (...) {
        // The staged records stay readable where they are.
    }
}

CollectorStats MappedFileCollector::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

}  // namespace pss::collect
