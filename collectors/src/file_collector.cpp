#include "file_collector.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace pss::collect {

FileCollector::FileCollector(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "cannot open trace file '" + path_ + "' for appending");
}

FileCollector::~FileCollector() {
    if (fd_ >= 0) ::close(fd_);
}

void FileCollector::submit(std::string json) {
    json += '\n';
    std::lock_guard<std::mutex> lock(mutex_);  // threads of this process
    if (fd_ < 0) {
        ++stats_.dropped;
        return;
    }
    ++stats_.submitted;
    // Other processes: the lock is what keeps a line whole when write(2)
    // returns short (a full disk, a signal, NFS), not only O_APPEND.
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
    const char* p = json.data();
    std::size_t left = json.size();
    int error = 0;
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = errno;
            break;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    ::flock(fd_, LOCK_UN);
    if (error != 0) {
        ++stats_.dropped;
        throw std::system_error(error, std::generic_category(), "cannot write to trace file '" + path_ + "'");
    }
    ++stats_.delivered;
}

void FileCollector::close(double) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

CollectorStats FileCollector::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

}  // namespace pss::collect
