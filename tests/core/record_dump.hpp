// Helpers for the record parser tests: a record with every field set, and
// every field of a record as text, doubles bit for bit.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "pss/record/trace_record.hpp"

namespace pss::test_support {

// A record with no field at its default.
inline TraceRecord stale_record() {
    TraceRecord r;
    r.name = r.module = r.exception_type = r.exception_message = r.filename = r.kind = r.parent = r.failure_file = "stale";
    r.branch_tag = "stale";
    r.run = r.lineno = r.failure_line = r.voluntary_context_switches = r.involuntary_context_switches = r.calls = 7;
    r.timestamp = r.duration = r.cpu_time = r.wait_time = r.memory = r.memory_diff = 7.5;
    r.error = r.system_metric = true;
    r.lag = 7.5;
    return r;
}

// Every field, doubles bit for bit (the writer leaves some out, and prints -0 as 0).
inline std::string dump(const TraceRecord& r) {
    auto d = [](double v) { return fmt::format("{:016x}", std::bit_cast<std::uint64_t>(v)); };
    return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", r.name, r.module, r.run,
                       d(r.timestamp), d(r.duration), d(r.cpu_time), d(r.wait_time), d(r.memory), d(r.memory_diff),
                       r.error, r.exception_type, r.exception_message, r.branch_tag ? "tag:" + *r.branch_tag : "none",
                       r.filename, r.lineno, r.kind, r.parent, r.failure_file, r.failure_line,
                       r.voluntary_context_switches, r.involuntary_context_switches, r.calls, r.system_metric,
                       r.lag ? d(*r.lag) : "none");
}

}  // namespace pss::test_support
