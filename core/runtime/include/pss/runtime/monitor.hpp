// The cheap, inline half of PSS_MONITOR and PSS_BRANCH. The fast paths read
// two relaxed atomics; the work happens out of line, only when tracing is on.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <string_view>

// Constant initialisation of call-site statics where the language can say so
// (C++20); C++17 compilers initialise them constantly all the same.
#if defined(__cpp_constinit)
#define PSS_DETAIL_CONSTINIT constinit
#else
#define PSS_DETAIL_CONSTINIT
#endif

namespace pss {

// One PSS_MONITOR call site (a static constant, so its address identifies it).
struct BlockSite {
    const char* name;
    const char* file;
    int line;
};

namespace detail {

enum MonitorState : int { monitor_unknown = 0, monitor_off = 1, monitor_on = 2 };

// monitor_on while trace records are written; set by the session.
extern std::atomic<int> g_monitor_state;
// Generation of the running test (0: none, or tracing is off).
extern std::atomic<std::uint64_t> g_test_generation;

// Configures the session from the environment on first use; true when on.
bool monitor_state_slow() noexcept;

inline bool monitoring() noexcept {
    const int state = g_monitor_state.load(std::memory_order_relaxed);
    if (state == monitor_on) return true;
    if (state == monitor_off) return false;
    return monitor_state_slow();
}

inline std::int64_t steady_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void finish_block(const BlockSite& site, std::uint64_t generation, std::int64_t start_ns,
                  bool failed) noexcept;
const BlockSite* intern_block_site(std::string_view name, const char* file, int line) noexcept;
void record_branch(std::string_view tag, std::uint64_t generation) noexcept;

}  // namespace detail

// RAII timer behind PSS_MONITOR and monitor_function. Leaving the scope by an
// exception counts as an error of the block.
class MonitorScope {
public:
    explicit MonitorScope(const BlockSite& site) noexcept {
        if (detail::monitoring()) start(&site);
    }
    MonitorScope(std::string_view name, const char* file, int line) noexcept {
        if (detail::monitoring()) start(detail::intern_block_site(name, file, line));
    }
    ~MonitorScope() {
        if (site_ != nullptr)
            detail::finish_block(*site_, generation_, start_ns_,
                                 std::uncaught_exceptions() > uncaught_at_start_);
    }
    MonitorScope(const MonitorScope&) = delete;
    MonitorScope& operator=(const MonitorScope&) = delete;

private:
    void start(const BlockSite* site) noexcept {
        if (site == nullptr) return;
        site_ = site;
        generation_ = detail::g_test_generation.load(std::memory_order_relaxed);
        uncaught_at_start_ = std::uncaught_exceptions();
        start_ns_ = detail::steady_ns();
    }

    const BlockSite* site_ = nullptr;
    std::uint64_t generation_ = 0;
    std::int64_t start_ns_ = 0;
    int uncaught_at_start_ = 0;
};

// One PSS_BRANCH call site. It remembers the last test run it reported to,
// so hitting it again in the same run costs two loads and a compare.
struct BranchSite {
    const char* tag;
    std::atomic<std::uint64_t> reported_generation{0};

    void hit() noexcept {
        const std::uint64_t generation = detail::g_test_generation.load(std::memory_order_relaxed);
        if (generation == 0) return;
        if (reported_generation.load(std::memory_order_relaxed) == generation) return;
        if (reported_generation.exchange(generation, std::memory_order_relaxed) == generation) return;
        detail::record_branch(tag, generation);
    }
};

}  // namespace pss
