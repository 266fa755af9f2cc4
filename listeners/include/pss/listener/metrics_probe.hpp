// The listeners' bridge from pss::metrics to the session: the series a test
// touched (pss/metrics/test_window.hpp) become its record's metrics.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pss/metrics/test_window.hpp"
#include "pss/record/trace_record.hpp"
#include "pss/runtime/session.hpp"

namespace pss::listener {

inline void open_metrics_window() { metrics::test_window_open(); }

inline void close_metrics_window(std::vector<RecordMetric>& out) {
    out.clear();
    if (!metrics::series_exist()) return;  // the common case: a program without metrics
    auto touched = metrics::test_window_close(max_record_metrics);
    if (touched.empty()) return;
    out.reserve(touched.size());
    for (auto& [key, value] : touched)
        if (key.size() <= max_record_metric_name) out.push_back({std::move(key), value});
}

inline runtime::MetricsProbe metrics_probe() { return {&open_metrics_window, &close_metrics_window}; }

}  // namespace pss::listener
