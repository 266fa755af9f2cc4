// The Catch2 v2 specific part of the pss listener (included by
// <pss/catch2.hpp>). Compiled in the user's translation unit, so it sees the
// user's Catch2 configuration. A Catch2 v3 port replaces only this file.
#pragma once

// Catch2 v2 comes in two layouts: the single header <catch2/catch.hpp>, and
// the multi-header tree of Catch2's repository (<catch.hpp> with internal/
// and reporters/ beside it). Whichever the file already included is used.
#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED)
#if !defined(CATCH_CONFIG_EXTERNAL_INTERFACES)
#error "pss: include <pss/catch2.hpp> in the file that defines CATCH_CONFIG_MAIN or CATCH_CONFIG_RUNNER, or define CATCH_CONFIG_EXTERNAL_INTERFACES before <catch2/catch.hpp> (Catch2 listeners need it)"
#endif
#elif defined(TWOBLUECUBES_CATCH_HPP_INCLUDED)
// The multi-header layout: the listener interfaces are headers of their own.
#include <internal/catch_external_interfaces.h>
#else
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#if __has_include(<catch2/catch.hpp>)
#include <catch2/catch.hpp>
#elif __has_include(<catch.hpp>)
#include <catch.hpp>
#else
#error "pss: Catch2 v2 not found: include <catch2/catch.hpp> (or Catch2's <catch.hpp>) before <pss/catch2.hpp>, or add Catch2's include folder to the include path"
#endif
#endif

#include <string>

#include "pss/catch2/bridge.hpp"

namespace pss::catch2::v2 {

// The listener keeps nothing of Catch2's events: TestEventListenerBase's
// handlers, which copy every run, group, test case and section, are not
// called, so the listener allocates no heap of its own during tests.
class Listener : public Catch::TestEventListenerBase {
public:
    explicit Listener(Catch::ReporterConfig const& config) : Catch::TestEventListenerBase(config) {
        prepare_catch2_caches(*config.fullConfig());
        listener_created();
    }
    // Catch2 destroys its run (the section trackers among it) before its
    // reporters and listeners.
    ~Listener() override { run_finished(); }

    void testRunStarting(Catch::TestRunInfo const&) override {}
    void testGroupStarting(Catch::GroupInfo const&) override {}
    void testGroupEnded(Catch::TestGroupStats const&) override {}
    void sectionEnded(Catch::SectionStats const&) override {}

    void testCaseStarting(Catch::TestCaseInfo const& info) override {
        starting_ = &info;
        test_case_announced();
    }

    // The measurement starts at the test case's own section, i.e. after every
    // reporter has handled testCaseStarting (listeners are called first), so
    // the reporters' per-test copies are not counted as the test's heap.
    void sectionStarting(Catch::SectionInfo const&) override {
        if (starting_ == nullptr) return;
        test_case_starting(starting_->name, starting_->lineInfo.file, starting_->lineInfo.line);
        starting_ = nullptr;
    }

    bool assertionEnded(Catch::AssertionStats const& stats) override {
        Catch::AssertionResult const& result = stats.assertionResult;
        if (result.isOk()) return true;
        const Catch::SourceLineInfo where = result.getSourceInfo();
        switch (result.getResultType()) {
            case Catch::ResultWas::ThrewException:
                // Catch2 calls this from its catch block: the exception is current.
                test_case_failure(FailureKind::exception, result.getMessage(), where.file, where.line);
                break;
            case Catch::ResultWas::FatalErrorCondition:
                test_case_failure(FailureKind::fatal, result.getMessage(), where.file, where.line);
                break;
            default:
                test_case_failure(FailureKind::assertion, describe(result), where.file, where.line);
                break;
        }
        return true;
    }

    void testCaseEnded(Catch::TestCaseStats const& stats) override {
        starting_ = nullptr;
        test_case_ended(stats.totals.testCases.failed > 0);
    }

    void testRunEnded(Catch::TestRunStats const& stats) override { run_ended(stats.aborting); }

private:
    Catch::TestCaseInfo const* starting_ = nullptr;

    // What Catch2 builds on first use and keeps beyond the run is built now,
    // before the heap measurement starts, rather than inside the first test
    // that needs it or between the listener's creation and the first test
    // (see catch2_bridge.cpp): the sorted test list (cached: the run asks for
    // it again with the same configuration) and the pool of string streams,
    // whose buffers keep their size (the reporter serialises the test specs;
    // messages and assertion results go through them, nested up to three deep).
    static void prepare_catch2_caches(Catch::IConfig const& config) {
        (void)Catch::getAllTestCasesSorted(config);
        (void)Catch::serializeFilters(config.getTestsOrTags());
        Catch::ReusableStringStream outer;
        outer << std::string(4096, ' ');
        Catch::ReusableStringStream nested;
        nested << std::string(1024, ' ');
        Catch::ReusableStringStream innermost;
        innermost << std::string(1024, ' ');
    }

    static std::string describe(Catch::AssertionResult const& result) {
        std::string text;
        if (result.hasExpression()) {
            text = result.getExpressionInMacro();
            if (result.hasExpandedExpression()) text += " with expansion: " + result.getExpandedExpression();
        }
        if (result.hasMessage()) {
            if (!text.empty()) text += ": ";
            text += result.getMessage();
        }
        return text;
    }
};

// An inline variable: registered once even if the header is included in
// several translation units.
inline const Catch::ListenerRegistrar<Listener> listener_registrar{};

}  // namespace pss::catch2::v2
