#include "bench/core_latency.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace veil::bench {
namespace {

TEST(CoreToCoreLatency, MeasuresAHandOffBetweenTwoCpus) {
    if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one CPU: nothing to measure";
    // A generous budget: CI machines may be busy. A cache line crosses in tens to hundreds of
    // nanoseconds; microseconds would mean the two threads took turns on one CPU.
    const std::optional<double> ns = measure_core_to_core_latency_ns(2000, std::chrono::seconds(5));
    ASSERT_TRUE(ns.has_value());
    EXPECT_GT(*ns, 1.0);
    EXPECT_LT(*ns, 100000.0);
}

TEST(CoreToCoreLatency, GivesUpWhenTheBudgetRunsOut) {
    if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one CPU: returns nullopt at once";
    // ~4e9 round trips take minutes at any latency; the budget ends the measurement long before.
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(measure_core_to_core_latency_ns(4000000000u, std::chrono::milliseconds(20)).has_value());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(CoreToCoreLatency, RejectsTooFewRoundTrips) {
    EXPECT_THROW(measure_core_to_core_latency_ns(4), std::invalid_argument);
}

}  // namespace
}  // namespace veil::bench
