// Writes a realistic trace file for the ingest benchmark: the records a pss
// listener writes (every field), for many tests of several binaries, run
// after run, with per-test timing, jitter, memory, failures and branch tags.
#pragma once

#include <cstdint>
#include <filesystem>

namespace pss::bench {

struct TraceShape {
    std::uint64_t records = 2'000'000;
    unsigned tests = 1000;
    std::uint64_t seed = 42;
};

// Returns the file's size in bytes.
std::uint64_t write_trace_file(const std::filesystem::path& path, const TraceShape& shape);

}  // namespace pss::bench
