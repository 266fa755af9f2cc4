// pss monitoring API for code under test.
//
//   PSS_MONITOR("parse");              // times the rest of the scope as a "block"
//   PSS_BRANCH("cache-miss");          // adds a tag to this test run's path signature
//   pss::monitor_function("load", [&] { return load(); });
//   pss::run_index();                  // which run this is (PSS_RUN + repeat iteration)
//
// Everything here is thread-safe and does nothing beyond one predictable
// branch when no trace output is active (PSS_TRACE_FILE unset).
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "pss/runtime/monitor.hpp"

namespace pss {

// The run index of the test currently running: PSS_RUN (0 when unset) plus
// the in-process repeat iteration (gtest --gtest_repeat).
std::int64_t run_index() noexcept;

// True when records are being written (PSS_TRACE_FILE is open).
bool tracing_active() noexcept;

// Adds `tag` to the current test run's branch signature (first-hit order,
// each tag once). For string literals prefer PSS_BRANCH, which caches per
// call site; this form suits tags computed at run time. No-op outside a test.
void branch(std::string_view tag);

// Runs `fn` inside a monitored block named `name`; returns what `fn` returns
// and lets its exceptions through (counted as errors of the block).
template <class Fn>
decltype(auto) monitor_function(std::string_view name, Fn&& fn, const char* file = __builtin_FILE(),
                                int line = __builtin_LINE()) {
    MonitorScope scope(name, file, line);
    return std::forward<Fn>(fn)();
}

}  // namespace pss

#define PSS_DETAIL_CONCAT2(a, b) a##b
#define PSS_DETAIL_CONCAT(a, b) PSS_DETAIL_CONCAT2(a, b)

// Times the rest of the enclosing scope as a block record linked to the
// current test. `name` must be a string literal.
#define PSS_MONITOR(name)                                                                         \
    static constexpr ::pss::BlockSite PSS_DETAIL_CONCAT(pss_block_site_, __LINE__){"" name,       \
                                                                                   __FILE__,      \
                                                                                   __LINE__};     \
    const ::pss::MonitorScope PSS_DETAIL_CONCAT(pss_block_scope_, __LINE__) {                     \
        PSS_DETAIL_CONCAT(pss_block_site_, __LINE__)                                              \
    }

// Adds a tag (a string literal) to the current test run's path signature.
#define PSS_BRANCH(tag)                                                                           \
    do {                                                                                          \
        static PSS_DETAIL_CONSTINIT ::pss::BranchSite pss_branch_site_{"" tag};                   \
        pss_branch_site_.hit();                                                                   \
    } while (false)
