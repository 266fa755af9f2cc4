// The GoogleTest listener: maps GoogleTest's events onto the pss session.
// Compiled into the user's test executable against the user's GoogleTest
// (1.10 or newer), in the user's language standard (C++17 or newer).
#include "pss/gtest.hpp"

#include <cstdio>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "pss/listener/metrics_probe.hpp"
#include "pss/runtime/session.hpp"

// TestInfo::test_suite_name() and the "test suite" vocabulary came with 1.10.
#if !defined(GTEST_INCLUDE_GTEST_GTEST_H_) && !defined(GOOGLETEST_INCLUDE_GTEST_GTEST_H_)
#error "pss: <gtest/gtest.h> was not found or is not GoogleTest's"
#endif
#if !defined(TYPED_TEST_SUITE)
#error "pss: the GoogleTest listener needs GoogleTest 1.10 or newer (this one has no TYPED_TEST_SUITE)"
#endif

namespace pss::gtest {

namespace {

using runtime::Session;

// GoogleTest reports an exception escaping a test as a failure "in unknown
// file" with one of these messages, from inside its catch block.
bool is_escaped_exception(const testing::TestPartResult& result) {
    if (result.file_name() != nullptr) return false;
    const std::string_view message = result.message();
    auto starts_with = [&](std::string_view prefix) { return message.substr(0, prefix.size()) == prefix; };
    return starts_with("C++ exception with description") || starts_with("Unknown C++ exception thrown");
}

class Listener final : public testing::EmptyTestEventListener {
public:
    void OnTestIterationStart(const testing::UnitTest&, int iteration) override {
        Session::instance().set_iteration(iteration);
    }

    void OnTestStart(const testing::TestInfo& info) override {
        Session& session = Session::instance();
        if (!session.active()) return;
        runtime::TestIdentityView id;
        // As GoogleTest prints it: "Suite.Test", "Inst/Suite.Test/0", "Typed/0.Test".
        id.name_prefix = info.test_suite_name();
        id.name = info.name();
        id.module_prefix = session.program_name();
        id.module = id.name_prefix;
        id.filename = info.file() != nullptr ? info.file() : "";
        id.lineno = info.line();
        session.begin_test(id);
    }

    void OnTestPartResult(const testing::TestPartResult& result) override {
        Session& session = Session::instance();
        if (!session.test_running()) return;
        if (result.skipped()) {
            session.note_skip(result.message());
            return;
        }
        if (!result.failed()) return;
        std::string type = "assertion";
        if (is_escaped_exception(result)) {
            // We are called from GoogleTest's catch block: the exception is still current.
            const std::string name = runtime::current_exception_type_name();
            type = name.empty() ? "exception" : "exception:" + name;
        }
        session.note_failure(type, result.message(), result.file_name() != nullptr ? result.file_name() : "",
                             result.line_number() > 0 ? result.line_number() : 0);
    }

    void OnTestEnd(const testing::TestInfo& info) override {
        Session& session = Session::instance();
        if (!session.test_running()) return;
        const testing::TestResult* result = info.result();
        runtime::TestStatus status = runtime::TestStatus::passed;
        // No part results (no failure, no skip, no SUCCEED()): passed, and
        // neither list walked, as most tests end.
        if (result->total_part_count() > 0) {
            if (result->Failed()) status = runtime::TestStatus::failed;
            else if (result->Skipped()) status = runtime::TestStatus::skipped;
        }
        session.end_test(status);
    }
};

// A death-test child started by GoogleTest's "threadsafe" style re-runs the
// program with --gtest_internal_run_death_test. Read from the command line
// the kernel keeps, because the flag's C++ name changed between GoogleTest
// versions (GTEST_FLAG in 1.10 and 1.11, GTEST_FLAG_GET from 1.12).
bool is_death_test_child() {
    std::FILE* f = std::fopen("/proc/self/cmdline", "rb");
    if (f == nullptr) return false;
    std::string args;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) args.append(buffer, n);
    std::fclose(f);
    return args.find("--gtest_internal_run_death_test") != std::string::npos;
}

}  // namespace

testing::TestEventListener* make_listener() { return new Listener(); }

void install() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    // A death-test child re-runs one test to watch it die: it must not write
    // records (not even of PSS_MONITOR blocks) or touch the progress file of
    // the parent's run.
    if (is_death_test_child()) {
        Session::instance().configure(runtime::Settings{});
        return;
    }
    Session::instance().set_metrics_probe(listener::metrics_probe());  // reads the environment now too
    testing::UnitTest::GetInstance()->listeners().Append(make_listener());
}

}  // namespace pss::gtest
