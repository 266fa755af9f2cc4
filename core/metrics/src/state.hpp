// The global state word every recording call reads, and the generations
// behind reset().
#pragma once

#include <atomic>
#include <cstdint>

namespace pss::metrics::detail {

// Bit 0: set_enabled(). Bits 1-31: the counter generation, advanced by
// reset() and reset_counters(). Bits 32-63: the gauge and timing generation,
// advanced by reset(). A reset does not touch other threads' cells: each
// thread zeroes its own before its next write when it sees a new generation,
// and until then collectors skip cells of an older generation. So the hot
// path reads one word it rarely has to re-fetch, and never takes a lock.
constexpr std::uint64_t enabled_bit = 1;
constexpr std::uint64_t counter_generation_mask = 0xFFFF'FFFEull;
constexpr std::uint64_t counter_generation_unit = 2;
constexpr std::uint64_t other_generation_mask = 0xFFFF'FFFF'0000'0000ull;
constexpr std::uint64_t other_generation_unit = 1ull << 32;

extern std::atomic<std::uint64_t> g_state;

// Advances the chosen generations (each wraps within its own bits).
void advance_generations(bool counters, bool others) noexcept;

}  // namespace pss::metrics::detail
