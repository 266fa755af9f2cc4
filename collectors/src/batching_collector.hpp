// A network collector: records wait in a bounded buffer and a background
// thread hands them to the plugin in batches. The caller's thread only takes
// a mutex and moves a string; it never waits for the network. When the
// buffer is full (the server is down or slow) new records are dropped and
// counted, and once the server answers again a control record tells readers
// how many were lost and why.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pss/collect/collector.hpp"
#include "pss/collect/plugin.h"

namespace pss::collect {

struct BatchingOptions {
    std::size_t capacity = 16384;            // records waiting; more are dropped
    std::size_t max_bytes = 32u << 20;       // and bytes waiting
    std::size_t batch = 512;                 // records per send
    double flush_interval = 0.2;             // seconds a record may wait for a full batch
    int send_timeout_ms = 2000;              // per send
};

// PSS_COLLECTOR_BUFFER (records) and PSS_COLLECTOR_BATCH override the defaults.
BatchingOptions batching_options_from_environment();

class BatchingCollector final : public Collector {
public:
    BatchingCollector(const pss_collector_plugin* plugin, void* handle, std::string description, Identity identity,
                      BatchingOptions options);
    ~BatchingCollector() override;

    void submit(std::string json) override;
    void close(double seconds) override;
    CollectorStats stats() const override;
    std::string describe() const override { return description_; }

private:
    struct Item {
        std::string json;
        std::uint64_t seq = 0;
        bool control = false;
    };
    void run();
    bool in_forked_child() const noexcept;
    void run_loop();
    void send_pending(int timeout_ms);
    void drop_locked(std::size_t n, const std::string& reason);

    const pss_collector_plugin* plugin_;
    void* handle_;
    std::string description_;
    Identity identity_;
    BatchingOptions options_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Item> queue_;
    std::size_t queued_bytes_ = 0;
    std::uint64_t next_seq_ = 0;
    bool closing_ = false;
    double deadline_ = 0;  // steady seconds, once closing
    CollectorStats stats_;
    std::uint64_t reported_drops_ = 0;  // the drop count readers were last told
    std::string last_error_;

    std::vector<Item> pending_;  // taken by the sender thread, not yet delivered
    std::size_t pending_data_ = 0;  // trace records in pending_ (guarded by mutex_, for close)
    bool thread_done_ = false;      // the sender thread has returned
    bool abandoned_ = false;        // close gave up on a plugin that does not return
    unsigned fork_generation_ = 0;  // forks before this collector was made
    std::thread thread_;
};

}  // namespace pss::collect
