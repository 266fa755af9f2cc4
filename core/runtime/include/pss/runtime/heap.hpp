// Heap tracking: live and peak heap bytes seen through the global operator
// new/delete. The counting operators live in the separate `pss::heap` target
// (linked by the listener targets); without it everything here reports 0.
//
// Counters are per thread (no shared cache line on the allocation path). A
// window opened at test start and closed at test end yields:
//   peak_growth: the sum over threads of each thread's peak live bytes above
//                its level at window start (exact for single-threaded tests,
//                an upper bound otherwise);
//   live_diff:   live heap bytes at close minus at open, over all threads;
//   allocated:   bytes allocated in the window, whether freed or not.
// Sizes are the allocator's usable sizes (malloc_usable_size), so alloc and
// free always balance, whatever form of operator delete is called.
#pragma once

#include <cstdint>

namespace pss::heap {

// True when the counting operator new/delete (pss::heap) is linked in.
bool tracking_linked() noexcept;

// Counting is off until switched on (the session does when it writes traces).
bool counting() noexcept;
void set_counting(bool on) noexcept;

struct Window {
    std::uint64_t epoch = 0;
    std::int64_t live_at_open = 0;
};

struct WindowResult {
    std::int64_t peak_growth = 0;
    std::int64_t live_diff = 0;
    std::int64_t allocated = 0;
};

// One window at a time per process (tests run one after another).
Window open_window() noexcept;
WindowResult close_window(const Window& window) noexcept;

// Live bytes allocated since counting started (may be negative when blocks
// allocated before are freed); differences of it are exact.
std::int64_t live_bytes() noexcept;

}  // namespace pss::heap
