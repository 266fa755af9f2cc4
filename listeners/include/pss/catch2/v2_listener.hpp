// The Catch2 v2 specific part of the pss listener (included by
// <pss/catch2.hpp>). Compiled in the user's translation unit, so it sees the
// user's Catch2 configuration. A Catch2 v3 port replaces only this file.
#pragma once

#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED) && !defined(CATCH_CONFIG_EXTERNAL_INTERFACES)
#error "pss: include <pss/catch2.hpp> in the file that defines CATCH_CONFIG_MAIN or CATCH_CONFIG_RUNNER, or define CATCH_CONFIG_EXTERNAL_INTERFACES before <catch2/catch.hpp> (Catch2 listeners need it)"
#endif
#ifndef CATCH_CONFIG_EXTERNAL_INTERFACES
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#endif
#include <catch2/catch.hpp>

#include <string>

#include "pss/catch2/bridge.hpp"

namespace pss::catch2::v2 {

class Listener : public Catch::TestEventListenerBase {
public:
    using Catch::TestEventListenerBase::TestEventListenerBase;

    void testCaseStarting(Catch::TestCaseInfo const& info) override {
        Catch::TestEventListenerBase::testCaseStarting(info);
        starting_ = &info;
    }

    // The measurement starts at the test case's own section, i.e. after every
    // reporter has handled testCaseStarting (listeners are called first), so
    // the reporters' per-test copies are not counted as the test's heap.
    void sectionStarting(Catch::SectionInfo const& section) override {
        Catch::TestEventListenerBase::sectionStarting(section);
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
        Catch::TestEventListenerBase::testCaseEnded(stats);
    }

private:
    Catch::TestCaseInfo const* starting_ = nullptr;

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
