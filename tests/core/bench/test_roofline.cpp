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

}  // namespace
}  // namespace veil::bench
