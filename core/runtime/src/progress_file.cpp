#include "progress_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace pss::runtime {

namespace L = progress_layout;

namespace {

// Copies `name` to `out` (at most `room` bytes) with \n, \r and \t as spaces.
std::size_t copy_name(char* out, std::size_t room, std::string_view name) noexcept {
    const std::size_t n = name.size() < room ? name.size() : room;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = name[i];
        out[i] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    return n;
}

}  // namespace

ProgressFile::~ProgressFile() { close(); }

void ProgressFile::close() noexcept {
    if (map_ != nullptr) ::munmap(map_, L::file_bytes);
    if (fd_ >= 0) ::close(fd_);
    map_ = nullptr;
    fd_ = -1;
    sequence_ = 0;
    text_length_ = 0;
}

ProgressFile::Opened ProgressFile::open(const std::string& path, bool mapped, std::string& error) {
    close();
    if (!mapped) {
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            error = std::strerror(errno);
            return Opened::failed;
        }
        return Opened::yes;
    }
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        if (errno == EEXIST) return Opened::not_ours;
        error = std::strerror(errno);
        return Opened::failed;
    }
    // The size first: a reader maps the file only once it has all of it.
    if (::ftruncate(fd_, static_cast<off_t>(L::file_bytes)) != 0) {
        error = std::strerror(errno);
        close();
        return Opened::failed;
    }
    void* map = ::mmap(nullptr, L::file_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (map == MAP_FAILED) {
        // Text mode on the file we created: the runner reads that too.
        if (::ftruncate(fd_, 0) != 0) {
            error = std::strerror(errno);
            close();
            return Opened::failed;
        }
        return Opened::yes;
    }
    map_ = static_cast<char*>(map);
    // The file is new, so sequence and slots are zero (no test runs): the
    // magic last says the layout is in place.
    std::memcpy(map_, L::magic, sizeof L::magic - 1);
    __atomic_store_n(map_ + sizeof L::magic - 1, L::magic[sizeof L::magic - 1], __ATOMIC_RELEASE);
    return Opened::yes;
}

void ProgressFile::publish(const char* text, std::size_t length) noexcept {
    if (map_ != nullptr) {
        // Only the unpublished slot is written: that is done in set().
        (void)text;
        ++sequence_;
        __atomic_store_n(reinterpret_cast<std::uint32_t*>(map_ + L::sequence_offset), sequence_, __ATOMIC_RELEASE);
        return;
    }
    if (fd_ < 0) return;
    // Best effort: when the file cannot be written, a runner only learns
    // that the process died, not in which test.
    if (length > 0 && ::pwrite(fd_, text, length, 0) < 0) return;
    if (text_length_ > length && ::ftruncate(fd_, static_cast<off_t>(length)) != 0) return;
    text_length_ = length;
}

void ProgressFile::set(std::int64_t run, std::string_view name) noexcept {
    if (fd_ < 0) return;
    if (map_ != nullptr) {
        char* slot = map_ + L::slots_offset + ((sequence_ + 1) & 1u) * L::slot_bytes;
        char* text = slot + 4;
        const auto digits = std::to_chars(text, text + 24, run);
        std::size_t length = static_cast<std::size_t>(digits.ptr - text);
        text[length++] = '\t';
        length += copy_name(text + length, L::max_text_bytes - length, name);
        const auto length32 = static_cast<std::uint32_t>(length);
        std::memcpy(slot, &length32, 4);
        publish(text, length);
        return;
    }
    try {
        line_.clear();
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, run);
        line_.append(digits, static_cast<std::size_t>(end.ptr - digits));
        line_ += '\t';
        const std::size_t at = line_.size();
        line_.resize(at + name.size());
        copy_name(&line_[at], name.size(), name);
        line_ += '\n';
    } catch (...) {
        return;
    }
    publish(line_.data(), line_.size());
}

void ProgressFile::clear() noexcept {
    if (fd_ < 0) return;
    if (map_ != nullptr) {
        char* slot = map_ + L::slots_offset + ((sequence_ + 1) & 1u) * L::slot_bytes;
        const std::uint32_t zero = 0;
        std::memcpy(slot, &zero, 4);
        publish(nullptr, 0);
        return;
    }
    if (text_length_ > 0) publish(nullptr, 0);
}

}  // namespace pss::runtime
