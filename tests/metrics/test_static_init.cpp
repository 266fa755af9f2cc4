// Recording from a static constructor of the user's code (before main, in
// whatever order translation units are initialised) works: the library's
// globals are constant-initialised and the registry is created on first use.
#include "metrics_test.hpp"

namespace {
struct RecordsBeforeMain {
    RecordsBeforeMain() {
        pm::increment("before.main", 2);
        pm::timing("before.main.t", 0.5);
        value = pm::get_counter("before.main").value_or(-1);
    }
    std::int64_t value = 0;
};
const RecordsBeforeMain before_main;
}  // namespace

TEST(MetricsStaticInit, RecordingBeforeMainWorks) { EXPECT_EQ(before_main.value, 2); }
