// The Catch2 listener's framework-neutral half: names, failure kinds, and the
// session calls.
#include "pss/catch2/bridge.hpp"

#include <string>

#include "pss/runtime/heap.hpp"
#include "pss/listener/metrics_probe.hpp"
#include "pss/runtime/session.hpp"

namespace pss::catch2 {

namespace {

using runtime::Session;

// Catch2 keeps a tracker per SECTION and GENERATE of a test case (and the
// test case's own) until the next test case starts. So a test's record is
// held until then, and its memory_diff taken at the same point of Catch2's
// cycle as its start: what Catch2 built for the test is gone, what the test
// leaked is not. What Catch2 and its reporters keep for a test case while it
// runs (their copies of its name and tags, its trackers) differs from test
// to test, so the difference between the two test cases' is taken off: the
// bytes allocated from the listener's testCaseStarting to the test's first
// section (as the previous test's trackers are freed in between, not the
// growth).
// The last test's trackers live until the run is torn down, just before the
// listener is destroyed, which also frees everything Catch2 built for the
// run before the first test (reporter, signal stack, run and test lists, the
// first test's bookkeeping): the last test's difference is taken in the
// listener's destructor, with that growth added back. (The listener makes
// Catch2 build what it keeps beyond the run, its sorted test list and
// string-stream pool, before it starts measuring.)
struct RunHeap {
    bool known = false;
    std::int64_t at_listener = 0;    // live heap when the listener was created
    std::int64_t at_first_test = 0;  // ... and when the first test started
    bool first_test_started = false;
    std::int64_t first_bookkeeping = 0;  // the first test case's (bytes allocated, see above)
    std::int64_t last_bookkeeping = 0;   // the latest test case's
    heap::Window announced;              // opened at testCaseStarting
};
RunHeap g_run_heap;
// Catch2 caught a fatal signal: it ends the run at once and re-raises it.
bool g_fatal_signal = false;

// Catch2 ignores the whitespace around names when it matches them and its
// XML reporter trims them: the record's name is the one pss-run selects by.
std::string_view trimmed(std::string_view s) {
    constexpr std::string_view space = " \t\r\n";
    const auto begin = s.find_first_not_of(space);
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

// "/src/tests/test_math.cpp" -> "test_math"
std::string file_stem(std::string_view path) {
    const auto slash = path.find_last_of("/\\");
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    const auto dot = path.rfind('.');
    if (dot != std::string_view::npos && dot > 0) path = path.substr(0, dot);
    return std::string(path);
}

}  // namespace

void listener_created() {
    Session& session = Session::instance();
    g_run_heap = RunHeap{};
    if (!session.tracing() || !heap::counting()) return;
    g_run_heap.known = true;
    g_run_heap.at_listener = heap::live_bytes();
}

void test_case_announced() {
    if (g_run_heap.known) g_run_heap.announced = heap::open_window();
}

void test_case_starting(std::string_view name, const char* file, std::size_t line) {
    Session& session = Session::instance();
    if (!session.active()) return;
    if (g_run_heap.known) {
        // Before this test's own strings exist.
        const std::int64_t bookkeeping = heap::close_window(g_run_heap.announced).allocated;
        g_run_heap.announced = heap::Window{};
        if (!g_run_heap.first_test_started) {
            g_run_heap.first_test_started = true;
            g_run_heap.at_first_test = heap::live_bytes();
            g_run_heap.first_bookkeeping = bookkeeping;
        } else {
            session.write_held_record(bookkeeping - g_run_heap.last_bookkeeping);
        }
        g_run_heap.last_bookkeeping = bookkeeping;
    }
    session.write_held_record();
    runtime::TestIdentityView id;
    id.name = trimmed(name);
    const std::string_view path = file != nullptr ? file : "";
    const std::string stem = file_stem(path);
    id.module_prefix = session.program_name();
    id.module = stem;
    id.filename = path;
    id.lineno = static_cast<std::int64_t>(line);
    session.set_metrics_probe(listener::metrics_probe());
    session.begin_test(id);
}

void test_case_failure(FailureKind kind, std::string_view message, const char* file, std::size_t line) {
    Session& session = Session::instance();
    if (!session.test_running()) return;
    std::string type = "assertion";
    if (kind == FailureKind::exception) {
        const std::string name = runtime::current_exception_type_name();
        type = name.empty() ? "exception" : "exception:" + name;
    } else if (kind == FailureKind::fatal) {
        g_fatal_signal = true;
        // "SIGSEGV - Segmentation violation signal" -> "SIGSEGV"
        const std::string_view signal = message.substr(0, message.find(' '));
        if (signal == "SIGTERM" || signal == "SIGINT") {
            // Terminated from outside (a runner's timeout, Ctrl-C): not a crash
            // of the test. No record; the progress file keeps naming the test.
            session.abandon_test();
            return;
        }
        type = "crash:" + std::string(signal);
    }
    session.note_failure(type, message, file != nullptr ? file : "", static_cast<std::int64_t>(line));
}

void test_case_ended(bool failed) {
    Session& session = Session::instance();
    if (!session.test_running()) return;
    session.end_test(failed ? runtime::TestStatus::failed : runtime::TestStatus::passed, /*hold_record=*/true);
}

void run_ended(bool aborting) {
    // After a fatal signal (which Catch2 re-raises) or an abort the listener
    // is never destroyed: the held record is written now.
    if (aborting || g_fatal_signal) Session::instance().write_held_record();
}

void run_finished() {
    const RunHeap run = g_run_heap;
    g_run_heap = RunHeap{};
    if (!run.known || !run.first_test_started) {
        Session::instance().write_held_record();
        return;
    }
    Session::instance().write_held_record(run.at_listener - run.at_first_test + run.first_bookkeeping -
                                          run.last_bookkeeping);
}

}  // namespace pss::catch2
