// Shared by the metrics tests: every test starts enabled with nothing
// recorded (the registry is process-wide).
#pragma once

#include <gtest/gtest.h>

#include "pss/metrics.hpp"

namespace pm = pss::metrics;

class Metrics : public ::testing::Test {
protected:
    void SetUp() override {
        pm::set_enabled(true);
        pm::reset();
    }
    void TearDown() override { pm::set_enabled(true); }
};
