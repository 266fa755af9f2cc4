#include "pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "block_framer.hpp"

namespace pss::ingest {

namespace {

using Clock = std::chrono::steady_clock;

// The calling thread's side: records to the sink, counts, progress.
class Consumer {
public:
    Consumer(const RecordSink& sink, const ReadOptions& options, const ByteSource& source)
        : sink_(sink), options_(options), source_(source), start_(Clock::now()), last_progress_(start_) {}

    void consume(const Block& b) {
        for (std::size_t i = 0; i < b.record_count; ++i) sink_(b.records[i]);
        stats_.records += b.record_count;
        if (b.malformed > 0) {
            if (stats_.malformed == 0) {
                const std::uint64_t base = b.format == TraceFormat::ndjson ? lines_before_ : 0;
                stats_.first_malformed_line = base + b.first_malformed_line;
                stats_.first_malformed_reason = b.first_malformed_reason;
            }
            stats_.malformed += b.malformed;
        }
        lines_before_ += b.lines;
        if (options_.progress) {
            const auto now = Clock::now();
            if (std::chrono::duration<double>(now - last_progress_).count() >= options_.progress_interval) {
                last_progress_ = now;
                options_.progress(ReadProgress{b.input_consumed, source_.size(), stats_.records,
                                               std::chrono::duration<double>(now - start_).count()});
            }
        }
    }

    ReadStats finish(const BlockFramer& framer) {
        stats_.format = framer.format();
        stats_.compression = source_.compression();
        stats_.text_bytes = framer.text_bytes();
        stats_.input_problem = source_.problem();
        if (stats_.input_problem.empty()) stats_.input_problem = framer.stopped();
        return stats_;
    }

private:
    const RecordSink& sink_;
    const ReadOptions& options_;
    const ByteSource& source_;
    ReadStats stats_;
    std::uint64_t lines_before_ = 0;
    Clock::time_point start_, last_progress_;
};

void read_sequentially(BlockFramer& framer, Consumer& consumer, FieldMask fields) {
    Block block;
    RecordParser parser(true, fields);
    while (framer.next(block)) {
        parse_block(block, parser);
        consumer.consume(block);
    }
}

// One thread cuts blocks, `workers` threads parse them, the calling thread
// consumes them in the order they were cut.
class ParallelReader {
public:
    ParallelReader(BlockFramer& framer, Consumer& consumer, unsigned workers, FieldMask fields)
        : framer_(framer), consumer_(consumer), workers_(workers), fields_(fields) {
        // Enough blocks for every thread to have one, and one to spare.
        for (unsigned i = 0; i < workers + 3; ++i) {
            blocks_.push_back(std::make_unique<Block>());
            free_.push_back(blocks_.back().get());
        }
    }

    void run() {
        std::vector<std::thread> threads;
        threads.emplace_back([this] { guarded([this] { cut_blocks(); }); });
        for (unsigned i = 0; i < workers_; ++i) threads.emplace_back([this] { guarded([this] { parse_blocks(); }); });
        guarded([this] { consume_blocks(); });
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        for (auto& t : threads) t.join();
        if (error_) std::rethrow_exception(error_);
    }

private:
    template <typename F>
    void guarded(F&& f) {
        try {
            f();
        } catch (...) {
            {
                std::lock_guard lock(mutex_);
                if (!error_) error_ = std::current_exception();
                stop_ = true;
            }
            changed_.notify_all();
        }
    }

    void cut_blocks() {
        for (std::uint64_t sequence = 0;; ++sequence) {
            Block* b = nullptr;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [this] { return stop_ || !free_.empty(); });
                if (stop_) return;
                b = free_.back();
                free_.pop_back();
            }
            const bool more = framer_.next(*b);
            {
                std::lock_guard lock(mutex_);
                if (more) {
                    to_parse_.emplace_back(sequence, b);
                } else {
                    free_.push_back(b);
                    blocks_cut_ = sequence;
                    cutting_done_ = true;
                }
            }
            changed_.notify_all();
            if (!more) return;
        }
    }

    void parse_blocks() {
        RecordParser parser(true, fields_);
        for (;;) {
            std::pair<std::uint64_t, Block*> job;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [this] { return stop_ || !to_parse_.empty() || cutting_done_; });
                if (stop_ || to_parse_.empty()) return;
                job = to_parse_.front();
                to_parse_.pop_front();
            }
            parse_block(*job.second, parser);
            {
                std::lock_guard lock(mutex_);
                parsed_.emplace(job.first, job.second);
            }
            changed_.notify_all();
        }
    }

    void consume_blocks() {
        for (std::uint64_t next = 0;; ++next) {
            Block* b = nullptr;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stop_ || parsed_.count(next) || (cutting_done_ && next == blocks_cut_); });
                if (stop_ || !parsed_.count(next)) return;
                b = parsed_[next];
                parsed_.erase(next);
            }
            consumer_.consume(*b);
            {
                std::lock_guard lock(mutex_);
                free_.push_back(b);
            }
            changed_.notify_all();
        }
    }

    BlockFramer& framer_;
    Consumer& consumer_;
    unsigned workers_;
    FieldMask fields_;  // field_mask() of ReadOptions::fields
    std::vector<std::unique_ptr<Block>> blocks_;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Block*> free_;
    std::deque<std::pair<std::uint64_t, Block*>> to_parse_;
    std::map<std::uint64_t, Block*> parsed_;
    std::uint64_t blocks_cut_ = 0;
    bool cutting_done_ = false, stop_ = false;
    std::exception_ptr error_;
};

}  // namespace

ReadStats read_trace(ByteSource& source, const RecordSink& sink, const ReadOptions& options) {
    const FieldMask fields = field_mask(options.fields);  // before any thread starts: it may throw
    BlockFramer framer(source, options.block_bytes, options.max_record_bytes);
    Consumer consumer(sink, options, source);
    // Automatic: one per core, at most four; records reach the sink on one
    // thread, so more parsers would mostly wait (and hold blocks).
    const unsigned threads =
        options.threads == 0 ? std::clamp(std::thread::hardware_concurrency(), 1u, 4u) : options.threads;
    if (threads <= 1) {
        read_sequentially(framer, consumer, fields);
    } else {
        ParallelReader(framer, consumer, threads, fields).run();
    }
    return consumer.finish(framer);
}

}  // namespace pss::ingest
