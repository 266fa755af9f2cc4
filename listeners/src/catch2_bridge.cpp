// The Catch2 listener's framework-neutral half: names, failure kinds, and the
// session calls.
#include "pss/catch2/bridge.hpp"

#include <string>

#include "pss/runtime/session.hpp"

namespace pss::catch2 {

namespace {

using runtime::Session;

// "/src/tests/test_math.cpp" -> "test_math"
std::string file_stem(std::string_view path) {
    const auto slash = path.find_last_of("/\\");
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    const auto dot = path.rfind('.');
    if (dot != std::string_view::npos && dot > 0) path = path.substr(0, dot);
    return std::string(path);
}

}  // namespace

void test_case_starting(std::string_view name, const char* file, std::size_t line) {
    Session& session = Session::instance();
    if (!session.active()) return;
    runtime::TestIdentity id;
    id.name = std::string(name);
    const std::string_view path = file != nullptr ? file : "";
    id.module = session.program_name() + "." + file_stem(path);
    id.filename = std::string(path);
    id.lineno = static_cast<std::int64_t>(line);
    session.begin_test(std::move(id));
}

void test_case_failure(FailureKind kind, std::string_view message, const char* file, std::size_t line) {
    Session& session = Session::instance();
    if (!session.test_running()) return;
    std::string type = "assertion";
    if (kind == FailureKind::exception) {
        const std::string name = runtime::current_exception_type_name();
        type = name.empty() ? "exception" : "exception:" + name;
    } else if (kind == FailureKind::fatal) {
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
    session.end_test(failed ? runtime::TestStatus::failed : runtime::TestStatus::passed);
}

}  // namespace pss::catch2
