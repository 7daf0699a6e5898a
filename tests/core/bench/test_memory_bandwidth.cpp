#include "bench/memory_bandwidth.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace veil::bench {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

// Plausible for any machine this runs on, sanitizers included: DRAM is neither slower than
// 200 MB/s nor faster than 2 TB/s.
void expect_plausible(const MemoryBandwidth& bw) {
    EXPECT_GT(bw.bytes_per_s, 0.2e9);
    EXPECT_LT(bw.bytes_per_s, 2e12);
    EXPECT_GE(bw.best_bytes_per_s, bw.bytes_per_s);  // the median pass is never faster than the best
    EXPECT_LT(bw.best_bytes_per_s, 2e12);
}

TEST(MemoryBandwidth, OneAndTwoThreadsGivePlausibleFigures) {
    for (unsigned threads : {1u, 2u}) {
        MemoryBandwidth bw = measure_memory_read_bandwidth(threads, 64 * kMiB, 3);
        SCOPED_TRACE(threads);
        expect_plausible(bw);
        EXPECT_EQ(bw.threads, threads);
        EXPECT_EQ(bw.passes, 3u);
        // Whole 256-byte blocks per thread: at most threads * 256 bytes are left out.
        EXPECT_LE(bw.buffer_bytes, 64 * kMiB);
        EXPECT_GT(bw.buffer_bytes, 64 * kMiB - threads * 256);
    }
}

TEST(MemoryBandwidth, DefaultBufferDefeatsTheCache) {
    // At least 64 MiB; sysfs's LLC is 32 MiB at most on the machines this runs on, so >= 8x it.
    EXPECT_GE(default_probe_buffer_bytes(), 64 * kMiB);
}

// A decode probe sweeps as many bytes as a decode pass reads, within [default, 1 GiB] and within
// half the memory left, but never below the default.
TEST(MemoryBandwidth, DecodeProbeMatchesThePassWithinItsBounds) {
    const uint64_t floor = default_probe_buffer_bytes();
    const uint64_t pass = floor + 300 * kMiB;  // above the default, below 1 GiB on any machine with a <= 88 MiB LLC
    ASSERT_LT(pass, kMaxDecodeProbeBytes);
    EXPECT_EQ(probe_buffer_bytes_for(pass, std::nullopt), pass);
    EXPECT_EQ(probe_buffer_bytes_for(pass, 64 * 1024 * kMiB), pass);
    EXPECT_EQ(probe_buffer_bytes_for(1, std::nullopt), floor);                       // a tiny model: the default
    EXPECT_EQ(probe_buffer_bytes_for(40 * 1024 * kMiB, std::nullopt), kMaxDecodeProbeBytes);  // a huge one: capped
    EXPECT_EQ(probe_buffer_bytes_for(pass, 2 * (floor + 100 * kMiB)), floor + 100 * kMiB);  // half the room left
    EXPECT_EQ(probe_buffer_bytes_for(pass, 16 * kMiB), floor);                       // no room: still the default
}

TEST(MemoryBandwidth, RefusesMeaninglessParameters) {
    EXPECT_THROW(measure_memory_read_bandwidth(0, 64 * kMiB, 1), std::invalid_argument);
    EXPECT_THROW(measure_memory_read_bandwidth(1, 64 * kMiB, 0), std::invalid_argument);
    EXPECT_THROW(measure_memory_read_bandwidth(1, 1024, 1), std::invalid_argument);
}

TEST(MemoryBandwidth, CombinedProbesTakeTheMedianOfMediansAndTheBestOfBests) {
    auto probe = [](double median, double best) {
        MemoryBandwidth m;
        m.bytes_per_s = median;
        m.best_bytes_per_s = best;
        m.buffer_bytes = 64 * kMiB;
        m.threads = 2;
        m.passes = 9;
        return m;
    };
    const MemoryBandwidth c = combine_probes({probe(50e9, 60e9), probe(40e9, 90e9), probe(55e9, 56e9)});
    EXPECT_EQ(c.bytes_per_s, 50e9);
    EXPECT_EQ(c.best_bytes_per_s, 90e9);
    EXPECT_EQ(c.passes, 27u);
    EXPECT_EQ(combine_probes({probe(50e9, 60e9), probe(40e9, 45e9)}).bytes_per_s, 45e9);
    EXPECT_THROW(combine_probes({}), std::invalid_argument);
    MemoryBandwidth other = probe(1e9, 1e9);
    other.threads = 1;
    EXPECT_THROW(combine_probes({probe(1e9, 1e9), other}), std::invalid_argument);
}

}  // namespace

}  // namespace veil::bench
