// Helpers shared by the listener tests: read records back, select them, find
// marked lines in the fixtures' sources.
#pragma once

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pss/ingest/trace_reader.hpp"

namespace pss::test {

struct TraceContents {
    std::vector<TraceRecord> records;
    ReadStats stats;
};

inline TraceContents read_records(const std::string& path) {
    TraceContents out;
    out.stats = read_trace_file(path, [&](const TraceRecord& r) { out.records.push_back(r); });
    return out;
}

inline std::vector<TraceRecord> select(const std::vector<TraceRecord>& records, const std::string& kind,
                                       const std::string& name) {
    std::vector<TraceRecord> out;
    for (const TraceRecord& r : records)
        if (r.kind == kind && r.name == name) out.push_back(r);
    return out;
}

// The only test record named `name`; fails the calling test otherwise.
inline TraceRecord only_test(const std::vector<TraceRecord>& records, const std::string& name) {
    const auto found = select(records, "test", name);
    if (found.size() != 1)
        throw std::runtime_error("expected one test record named '" + name + "', found " +
                                 std::to_string(found.size()));
    return found.front();
}

// 1-based number of the line of `file` that contains "MARK: <mark>".
inline std::int64_t marked_line(const std::string& file, const std::string& mark) {
    std::ifstream in(file);
    std::string line;
    for (std::int64_t n = 1; std::getline(in, line); ++n)
        if (line.find("MARK: " + mark) != std::string::npos) return n;
    throw std::runtime_error("no 'MARK: " + mark + "' in " + file);
}

inline bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace pss::test
