// What the session collects from the monitor: per-block totals of one test
// run (or of the time outside tests). Internal to pss.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "pss/runtime/monitor.hpp"

namespace pss::detail {

struct BlockTotals {
    const BlockSite* site = nullptr;
    std::uint64_t generation = 0;
    std::int64_t calls = 0;
    std::int64_t errors = 0;
    std::int64_t total_ns = 0;
    std::int64_t first_start_ns = 0;  // steady clock
};

// Removes and returns the totals of `generation` from every thread's table,
// in first-seen order per thread. Totals of other finished generations are
// dropped (blocks still running when their test ended); generation 0 (outside
// tests) is kept until asked for.
std::vector<BlockTotals> take_blocks(std::uint64_t generation);

// Whether any PSS_MONITOR scope ever finished: else there is nothing to take,
// which the session asks at every test's end.
extern std::atomic<bool> g_blocks_seen;
inline bool any_blocks() noexcept { return g_blocks_seen.load(std::memory_order_acquire); }

}  // namespace pss::detail
