// GoogleTest listener: one pss trace record per test per --gtest_repeat
// iteration. Link pss::gtest_main for a ready-made main(), or link pss::gtest
// and call pss::gtest::install() from your own main:
//
//   int main(int argc, char** argv) {
//       testing::InitGoogleTest(&argc, argv);
//       pss::gtest::install();
//       return RUN_ALL_TESTS();
//   }
//
// Records are written only when PSS_TRACE_FILE is set (see <pss/runtime/session.hpp>).
#pragma once

namespace testing {
class TestEventListener;
}

namespace pss::gtest {

// Appends the pss listener to GoogleTest's listener list. Call it after
// testing::InitGoogleTest (so a death-test child process is recognised and
// left alone) and before RUN_ALL_TESTS. Calling it again does nothing.
void install();

// A new listener for programs that manage the listener list themselves
// (GoogleTest takes ownership when it is appended).
testing::TestEventListener* make_listener();

}  // namespace pss::gtest
