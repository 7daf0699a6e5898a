#include "bench/roofline.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace veil::bench {
namespace {

TEST(Roofline, MemoryBoundFraction) {
    RooflineInputs in;
    in.decode_tps = 40;
    in.memory_bytes_per_token = 600e6;
    in.memory_bandwidth = 30e9;  // 50 tok/s at most
    Roofline r = roofline(in);
    EXPECT_DOUBLE_EQ(r.max_tps, 50);
    EXPECT_DOUBLE_EQ(r.fraction, 0.8);
    EXPECT_EQ(r.bound, "memory");
}

TEST(Roofline, StorageBoundWhenStreamingIsSlower) {
    RooflineInputs in;
    in.decode_tps = 2;
    in.memory_bytes_per_token = 600e6;
    in.memory_bandwidth = 30e9;
    in.storage_bytes_per_token = 400e6;
    in.storage_bandwidth = 1e9;  // 2.5 tok/s at most
    Roofline r = roofline(in);
    EXPECT_DOUBLE_EQ(r.max_tps, 2.5);
    EXPECT_DOUBLE_EQ(r.fraction, 0.8);
    EXPECT_EQ(r.bound, "storage");
}

TEST(Roofline, NothingStreamedLeavesTheMemoryBound) {
    RooflineInputs in;
    in.decode_tps = 25;
    in.memory_bytes_per_token = 600e6;
    in.memory_bandwidth = 30e9;
    in.storage_bytes_per_token = 0;  // every layer resident
    in.storage_bandwidth = 1e9;
    EXPECT_EQ(roofline(in).bound, "memory");
}

TEST(Roofline, RefusesZeroBandwidth) {
    RooflineInputs in;
    in.decode_tps = 1;
    in.memory_bytes_per_token = 1;
    EXPECT_THROW(roofline(in), std::invalid_argument);
    in.memory_bandwidth = 1;
    in.storage_bytes_per_token = 5;
    EXPECT_THROW(roofline(in), std::invalid_argument);
}

// Repetition i against the mean of the probes before and after it; the median over repetitions
// (an even count: the mean of the middle two).
TEST(Roofline, PairedWithTheProbesAroundEachRepetition) {
    const double decode[] = {40, 80, 60, 45};
    const double probes[] = {30e9, 30e9, 90e9, 60e9, 30e9};  // the machine changes between repetitions
    const PairedRooflines p = paired_rooflines(decode, probes, 600e6);
    ASSERT_EQ(p.repetitions.size(), 4u);
    EXPECT_DOUBLE_EQ(p.bandwidth[0], 30e9);
    EXPECT_DOUBLE_EQ(p.bandwidth[1], 60e9);
    EXPECT_DOUBLE_EQ(p.repetitions[0].fraction, 0.8);   // 40 of 50
    EXPECT_DOUBLE_EQ(p.repetitions[1].fraction, 0.8);   // 80 of 100
    EXPECT_DOUBLE_EQ(p.repetitions[2].fraction, 0.48);  // 60 of 125
    EXPECT_DOUBLE_EQ(p.repetitions[3].fraction, 0.6);   // 45 of 75
    EXPECT_DOUBLE_EQ(p.median.fraction, (0.6 + 0.8) / 2);
    EXPECT_DOUBLE_EQ(p.median.max_tps, (75.0 + 100.0) / 2);
    EXPECT_EQ(p.median.bound, "memory");
}

TEST(Roofline, PairingNeedsOneProbeMoreThanRepetitions) {
    const double decode[] = {40, 80};
    const double two[] = {30e9, 30e9};
    EXPECT_THROW(paired_rooflines(decode, two, 600e6), std::invalid_argument);
    EXPECT_THROW(paired_rooflines({}, std::span<const double>(two, 1), 600e6), std::invalid_argument);
    const double with_zero[] = {30e9, 0, 0};
    EXPECT_THROW(paired_rooflines(decode, with_zero, 600e6), std::invalid_argument);
}

}  // namespace
}  // namespace veil::bench
