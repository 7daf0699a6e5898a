#include "bench/memory_peak.h"

#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstring>
#include <fstream>
#include <memory>

namespace veil::bench {
namespace {

TEST(MemoryPeak, VmHwmGrowsWithTouchedMemory) {
    const uint64_t before = peak_rss_bytes();
    EXPECT_GT(before, 0u);
    constexpr size_t kBytes = 96u << 20;  // above whatever the test binary peaked at so far
    auto block = std::make_unique<char[]>(kBytes + before);
    std::memset(block.get(), 1, kBytes + before);
    EXPECT_GE(peak_rss_bytes(), before + kBytes);
    EXPECT_EQ(block[kBytes / 2], 1);
}

TEST(MemoryPeak, PeakOutsideLeavesATemporaryBufferOut) {
    PeakRssOutside rss;
    rss.before();
    const uint64_t base = peak_rss_bytes();
    {
        // A mapping of its own (as the bandwidth probe's), so unmapping returns it to the kernel
        // even under a sanitizer that quarantines freed heap memory.
        const size_t bytes = (96u << 20) + base;  // above the peak so far
        void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_NE(block, MAP_FAILED);
        std::memset(block, 1, bytes);
        EXPECT_GE(peak_rss_bytes(), base + (96u << 20));
        ::munmap(block, bytes);
    }
    ASSERT_TRUE(rss.after()) << "this kernel cannot reset VmHWM";
    EXPECT_LT(rss.peak(), base + (64u << 20));
    EXPECT_GE(rss.peak(), base);  // the peak before the buffer is kept
}

TEST(MemoryPeak, CgroupPeakWhenPresentIsReadFromItsFile) {
    auto peak = cgroup_memory_peak();
    if (!peak) GTEST_SKIP() << "no memory cgroup with a peak counter here";
    EXPECT_GT(peak->bytes, 0u);
    EXPECT_TRUE(peak->file.ends_with("/memory.peak") || peak->file.ends_with("/memory.max_usage_in_bytes"))
        << peak->file;
    std::ifstream f(peak->file);
    EXPECT_TRUE(f.good()) << peak->file;
}

}  // namespace
}  // namespace veil::bench
