// file:PATH: records appended to one NDJSON file, each line in one write(2)
// under an exclusive flock(2), so that any number of processes (ctest -j,
// pytest-xdist-like launchers, several binaries) can share the file without
// interleaving, even on NFS or after a partial write.
#pragma once

#include <mutex>
#include <string>

#include "pss/collect/collector.hpp"

namespace pss::collect {

class FileCollector final : public Collector {
public:
    // Opens `path` for appending (creating it). Throws std::system_error with
    // the path in the message.
    explicit FileCollector(std::string path);
    ~FileCollector() override;

    // Written before returning; throws std::system_error when the write fails.
    void submit(std::string json) override;
    void close(double seconds) override;
    CollectorStats stats() const override;
    std::string describe() const override { return "file:" + path_; }

private:
    std::string path_;
    int fd_ = -1;
    mutable std::mutex mutex_;
    CollectorStats stats_;
};

}  // namespace pss::collect
