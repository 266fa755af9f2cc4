#include "batching_collector.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdlib>

// Defined by pss::heap when a test binary links it (the listeners do).
extern "C" __attribute__((weak)) void pss_heap_ignore_this_thread() noexcept;

namespace pss::collect {

namespace {

// A forked child has its parent's collectors but not their threads: it must
// neither queue into them (nothing would send) nor wait for those threads at
// exit. Collectors it opens itself work as anywhere else. Each fork counts
// one generation; a collector made in an earlier one belongs to an ancestor.
std::atomic<unsigned> g_fork_generation{0};
void count_fork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::size_t env_size(const char* name, std::size_t fallback, std::size_t low, std::size_t high) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (*end != '\0' || n < low || n > high) return fallback;
    return static_cast<std::size_t>(n);
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace

BatchingOptions batching_options_from_environment() {
    BatchingOptions o;
    o.capacity = env_size("PSS_COLLECTOR_BUFFER", o.capacity, 1, 100'000'000);
    o.batch = env_size("PSS_COLLECTOR_BATCH", o.batch, 1, 100'000);
    return o;
}

BatchingCollector::BatchingCollector(const pss_collector_plugin* plugin, void* handle, std::string description,
                                     Identity identity, BatchingOptions options)
    : plugin_(plugin),
      handle_(handle),
      description_(std::move(description)),
      identity_(std::move(identity)),
      options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { ::pthread_atfork(nullptr, nullptr, count_fork); });
    fork_generation_ = g_fork_generation.load(std::memory_order_relaxed);
    thread_ = std::thread([this] { run(); });
}

bool BatchingCollector::in_forked_child() const noexcept {
    return g_fork_generation.load(std::memory_order_relaxed) != fork_generation_;
}

BatchingCollector::~BatchingCollector() {
    close(0);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!in_forked_child() && !abandoned_) plugin_->close(handle_);
}

void BatchingCollector::drop_locked(std::size_t n, const std::string& reason) {
    stats_.dropped += n;
    stats_.drop_reason = reason;
}

void BatchingCollector::submit(std::string json) {
    std::unique_lock<std::mutex> lock(mutex_);
    ++stats_.submitted;
    if (closing_ || in_forked_child()) {
        drop_locked(1, closing_ ? "submitted after the collector was closed" : "submitted in a forked child");
        return;
    }
    if (queue_.size() >= options_.capacity || queued_bytes_ + json.size() > options_.max_bytes) {
        drop_locked(1, last_error_.empty() ? "buffer full: the collector is slower than the tests"
                                           : "collector unreachable: " + last_error_);
        return;
    }
    queued_bytes_ += json.size();
    queue_.push_back({std::move(json), 0, false});  // numbered when sent: in the order readers see
    // Wake the sender only for a full batch: a wake-up is a system call,
    // and the sender looks by itself every flush_interval.
    const bool wake = queue_.size() == options_.batch;
    lock.unlock();
    if (wake) wake_.notify_one();
}

void BatchingCollector::send_pending(int timeout_ms) {
    std::vector<pss_collector_record> records;
    records.reserve(pending_.size());
    for (const Item& i : pending_) records.push_back({i.json.data(), i.json.size(), i.seq});
    char error[512] = {0};
    std::size_t sent = plugin_->send(handle_, records.data(), records.size(), timeout_ms, error, sizeof error);
    if (sent > records.size()) sent = records.size();
    std::size_t data = 0;
    for (std::size_t i = 0; i < sent; ++i) data += pending_[i].control ? 0 : 1;
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(sent));
    std::lock_guard<std::mutex> lock(mutex_);
    if (abandoned_) return;  // close counted everything already
    stats_.delivered += data;
    pending_data_ -= data;
    last_error_ = sent < records.size() ? (error[0] ? std::string(error) : std::string("send failed")) : "";
}

void BatchingCollector::run() {
    // What this thread allocates belongs to no test: the heap window of the
    // test running meanwhile must not see it (nor its frees of records made
    // by earlier tests).
    if (pss_heap_ignore_this_thread) pss_heap_ignore_this_thread();
    run_loop();
    std::lock_guard<std::mutex> lock(mutex_);
    thread_done_ = true;
    wake_.notify_all();
}

void BatchingCollector::run_loop() {
    double backoff = 0.05;
    for (;;) {
        bool closing = false;
        double deadline = 0;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (pending_.empty())
                wake_.wait_for(lock, std::chrono::duration<double>(options_.flush_interval),
                               [&] { return closing_ || queue_.size() >= options_.batch; });
            closing = closing_;
            deadline = deadline_;
            // Readers learn of drops as soon as the server answers again.
            if (stats_.dropped > reported_drops_ && pending_.empty()) {
                reported_drops_ = stats_.dropped;
                pending_.push_back({"{\"pss_control\":\"dropped\",\"dropped\":" + std::to_string(stats_.dropped) +
                                        ",\"reason\":" + json_string(stats_.drop_reason) + "}",
                                    ++next_seq_, true});
            }
            while (pending_.size() < options_.batch && !queue_.empty()) {
                queued_bytes_ -= queue_.front().json.size();
                pending_.push_back(std::move(queue_.front()));
                queue_.pop_front();
                pending_.back().seq = ++next_seq_;
                ++pending_data_;
            }
        }
        if (pending_.empty()) {
            if (closing) return;
            continue;
        }
        int timeout_ms = options_.send_timeout_ms;
        if (closing) {
            const double left = deadline - steady_seconds();
            if (left <= 0) return;
            timeout_ms = std::max(1, std::min(timeout_ms, static_cast<int>(left * 1000)));
        }
        const std::size_t before = pending_.size();
        send_pending(timeout_ms);
        if (pending_.size() < before) {
            backoff = 0.05;
            continue;
        }
        // Nothing went through: wait before trying again (a closing collector
        // only until its deadline), while the buffer absorbs new records.
        std::unique_lock<std::mutex> lock(mutex_);
        const bool was_closing = closing_;
        const double wait = was_closing ? std::min(backoff, deadline_ - steady_seconds()) : backoff;
        if (wait > 0)
            wake_.wait_for(lock, std::chrono::duration<double>(wait), [&] { return closing_ && !was_closing; });
        backoff = std::min(backoff * 2, 2.0);
    }
}

void BatchingCollector::close(double seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (closing_) return;
    closing_ = true;
    deadline_ = steady_seconds() + seconds;
    if (in_forked_child()) return;  // the thread is the parent's
    wake_.notify_all();
    // A plugin gets its send timeout to return; one that never does is left
    // behind (detached), so that a process never hangs at exit for it.
    const double grace = seconds + options_.send_timeout_ms / 1000.0 + 1.0;
    if (!wake_.wait_for(lock, std::chrono::duration<double>(grace), [&] { return thread_done_; })) {
        abandoned_ = true;
        const std::size_t left = pending_data_ + queue_.size();
        drop_locked(left, "not delivered before the process ended: the collector plugin did not return");
        queue_.clear();
        lock.unlock();
        thread_.detach();
        return;
    }
    lock.unlock();
    thread_.join();
    // What the thread could not send in time is lost: count it, then tell
    // readers the totals if the server still listens.
    lock.lock();
    const std::size_t left = pending_data_ + queue_.size();
    if (left > 0)
        drop_locked(left, "not delivered before the process ended: " +
                              (last_error_.empty() ? std::string("collector too slow")
                                                   : "collector unreachable: " + last_error_));
    pending_.clear();
    pending_data_ = 0;
    queue_.clear();
    if (seconds > 0 && steady_seconds() < deadline_ + 0.5) {
        const std::string end = "{\"pss_control\":\"end\",\"submitted\":" + std::to_string(stats_.submitted) +
                                ",\"delivered\":" + std::to_string(stats_.delivered) +
                                ",\"dropped\":" + std::to_string(stats_.dropped) +
                                ",\"reason\":" + json_string(stats_.drop_reason) + "}";
        const pss_collector_record record{end.data(), end.size(), ++next_seq_};
        lock.unlock();
        char error[256] = {0};
        plugin_->send(handle_, &record, 1, 500, error, sizeof error);
    }
}

CollectorStats BatchingCollector::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

}  // namespace pss::collect
