// What one test did to the metrics: the test-framework listeners open a
// window when a test starts and close it when it ends; the series the test
// touched go into its trace record (TraceRecord::metrics), so that pss can
// score how stable each metric is across the test's runs.
//
// A series' value for one run:
//   counter  its change during the test             `cache.hits`
//   gauge    its last value, when set during the test  `queue.depth`
//   timing   the mean of the times recorded during the test, in seconds
// A series with tags is keyed `name{key=value,key2=value2}`, tags sorted by key.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pss/metrics/tags.hpp"

namespace pss::metrics {

// `name` alone, or `name{k=v,...}` for a non-empty (sorted) tag set.
std::string series_key(std::string_view name, const TagSet& tags);

// Remembers every series' value now (one snapshot; nothing when no series
// was ever registered). Call it before measuring the test starts: the
// snapshot it keeps is allocated here and freed by close().
void test_window_open() noexcept;

// The series whose values changed since test_window_open(), sorted by key,
// at most `limit` of them (the first by key). A gauge or timing reset during
// the test counts from zero. Empty without an open window.
std::vector<std::pair<std::string, double>> test_window_close(std::size_t limit) noexcept;

// Whether the program registered any series yet (one load). Until it does,
// no test touched one, and a window may be left unclosed: the next
// test_window_open() starts afresh.
bool series_exist() noexcept;

}  // namespace pss::metrics
