#include "mapped_file_collector.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "pss/record/packed_record.hpp"

namespace pss::collect {

namespace {

std::atomic<bool> g_forked{false};
void mark_forked() noexcept { g_forked.store(true, std::memory_order_relaxed); }

#ifdef MADV_POPULATE_WRITE
constexpr int populate_write = MADV_POPULATE_WRITE;
#else
constexpr int populate_write = 23;
#endif

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
        grow(chunk_bytes);
        if (map_ != nullptr) {
            std::memcpy(map_, packed_magic.data(), packed_magic.size());
            used_ = packed_magic.size();
        } else {
            append_with_pwrite({}, packed_magic);
        }
    } catch (...) {
        ::close(fd_);
        fd_ = -1;
        throw;
    }
}

MappedFileCollector::~MappedFileCollector() {
    close(0);
    if (fd_ >= 0) ::close(fd_);
}

void MappedFileCollector::unmap() noexcept {
    if (map_ != nullptr) ::munmap(map_, mapped_);
    map_ = nullptr;
    mapped_ = 0;
}

void MappedFileCollector::grow(std::size_t needed) {
    std::size_t size = mapped_ + chunk_bytes;
    while (size < needed) size += chunk_bytes;
    const int error = ::posix_fallocate(fd_, static_cast<off_t>(mapped_), static_cast<off_t>(size - mapped_));
    if (error == ENOSPC || error == EFBIG || error == EIO)
        throw file_error(error, "cannot write to trace file", path_);
    void* map = MAP_FAILED;
    // Page tables filled now, in one call, rather than a page fault per 4 KiB
    // of records (best effort: MADV_POPULATE_WRITE is Linux 5.14).
    if (error == 0 && map_ == nullptr) {
        map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, 0);
    } else if (error == 0) {
        map = ::mremap(map_, mapped_, size, MREMAP_MAYMOVE);
        if (map != MAP_FAILED)
            ::madvise(static_cast<char*>(map) + mapped_, size - mapped_, populate_write);
    }
    if (map == MAP_FAILED) {
        // No fallocate or no mmap here: plain writes after the records.
        unmap();
        if (::ftruncate(fd_, static_cast<off_t>(used_)) != 0)
            throw file_error(errno, "cannot write to trace file", path_);
        return;
    }
    map_ = static_cast<char*>(map);
    mapped_ = size;
}

void MappedFileCollector::append_with_pwrite(std::string_view frame_size, std::string_view packed) {
    std::string frame;  // one write: a crash leaves the frame whole or its size unwritten
    frame.reserve(frame_size.size() + packed.size());
    frame.append(frame_size).append(packed);
    const char* p = frame.data();
    std::size_t left = frame.size();
    while (left > 0) {
        const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(used_));
        if (n < 0) {
            if (errno == EINTR) continue;
            ++stats_.dropped;
            throw file_error(errno, "cannot write to trace file", path_);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
        used_ += static_cast<std::size_t>(n);
    }
}

void MappedFileCollector::submit_view(std::string_view packed) {
    std::lock_guard<std::mutex> lock(mutex_);  // threads of this process
    if (fd_ < 0 || g_forked.load(std::memory_order_relaxed) || packed.empty() || packed.size() % 4 != 0) {
        ++stats_.dropped;
        return;
    }
    ++stats_.submitted;
    const auto size = static_cast<std::uint32_t>(packed.size());
    const std::size_t frame = 4 + packed.size();
    if (map_ != nullptr && used_ + frame > mapped_) {
        try {
            grow(used_ + frame);
        } catch (...) {
            ++stats_.dropped;
            throw;
        }
    }
    if (map_ != nullptr) {
        std::memcpy(map_ + used_ + 4, packed.data(), packed.size());
        // The size last, and 4-byte aligned (the magic and every frame are
        // multiples of 4): a frame whose size reads non-zero is whole.
        __atomic_store_n(reinterpret_cast<std::uint32_t*>(map_ + used_), size, __ATOMIC_RELEASE);
        used_ += frame;
    } else {
        append_with_pwrite(std::string_view(reinterpret_cast<const char*>(&size), 4), packed);
    }
    ++stats_.delivered;
}

void MappedFileCollector::close(double) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (map_ == nullptr || g_forked.load(std::memory_order_relaxed)) return;
    unmap();
    if (::ftruncate(fd_, static_cast<off_t>(used_)) != 0) {
        // The NUL tail stays; readers stop at it.
    }
}

CollectorStats MappedFileCollector::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

}  // namespace pss::collect
