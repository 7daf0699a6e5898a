#include "bench/cpu_contention.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <sys/syscall.h>

#include <filesystem>
#include <fstream>

namespace veil::bench {
namespace {

namespace fs = std::filesystem;

// A fake /proc: self/task/<tid>/schedstat and stat, as the kernel writes them.
class FakeProc {
public:
    FakeProc() : root_(fs::temp_directory_path() / ("veil-proc-" + std::to_string(::getpid()))) {
        fs::remove_all(root_);
        fs::create_directories(root_ / "self" / "task");
    }
    ~FakeProc() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    void thread(int tid, uint64_t on_cpu_ns, uint64_t run_delay_ns) {
        fs::create_directories(root_ / "self" / "task" / std::to_string(tid));
        std::ofstream(root_ / "self" / "task" / std::to_string(tid) / "schedstat")
            << on_cpu_ns << ' ' << run_delay_ns << " 42\n";
    }
    void end_thread(int tid) { fs::remove_all(root_ / "self" / "task" / std::to_string(tid)); }
    void steal(uint64_t ticks) {
        std::ofstream(root_ / "stat") << "cpu  5031232 832439 824957 3371897 85666 0 6318 " << ticks << " 0 0\n"
                                      << "cpu0 1 2 3 4 5 6 7 8 0 0\n";
    }
    const fs::path& root() const { return root_; }

private:
    fs::path root_;
};

TEST(CpuContention, CountsWaitPerThreadAndStealAcrossTwoReadings) {
    FakeProc proc;
    proc.thread(100, 9'000'000, 1'000'000);
    proc.thread(101, 9'000'000, 5'000'000);
    proc.thread(102, 1'000, 7'000'000);
    proc.steal(6496);
    const CpuCounters before = read_cpu_counters(proc.root());
    ASSERT_EQ(before.run_delay_ns.size(), 3u);
    ASSERT_TRUE(before.steal_ticks);
    EXPECT_EQ(*before.steal_ticks, 6496u);

    proc.thread(100, 19'000'000, 4'000'000);  // waited 3 ms more
    proc.thread(101, 19'000'000, 5'000'000);  // not at all
    proc.end_thread(102);                     // ended: its counter is gone
    proc.thread(103, 1'000, 2'000'000);       // new: counts from zero
    proc.steal(6504);                         // 8 ticks
    const CpuContention c = contention_between(before, read_cpu_counters(proc.root()), 100);
    ASSERT_TRUE(c.wait_s);
    EXPECT_DOUBLE_EQ(*c.wait_s, 0.005);
    ASSERT_TRUE(c.steal_s);
    EXPECT_DOUBLE_EQ(*c.steal_s, 0.08);
}

TEST(CpuContention, UnreadableCountersAreAbsentNotZero) {
    FakeProc proc;  // no threads, no stat
    const CpuCounters none = read_cpu_counters(proc.root());
    EXPECT_TRUE(none.run_delay_ns.empty());
    EXPECT_FALSE(none.steal_ticks);
    const CpuContention c = contention_between(none, none, 100);
    EXPECT_FALSE(c.wait_s);
    EXPECT_FALSE(c.steal_s);

    std::ofstream(proc.root() / "stat") << "intr 1 2 3\n";  // not the cpu line
    EXPECT_FALSE(read_cpu_counters(proc.root()).steal_ticks);
}

TEST(CpuContention, SumsOverPhasesAndKeepsAbsenceWhereNothingWasRead) {
    CpuContention total;
    total += CpuContention{0.002, std::nullopt};
    total += CpuContention{0.003, 0.01};
    ASSERT_TRUE(total.wait_s);
    EXPECT_DOUBLE_EQ(*total.wait_s, 0.005);
    ASSERT_TRUE(total.steal_s);
    EXPECT_DOUBLE_EQ(*total.steal_s, 0.01);
    EXPECT_FALSE((CpuContention{} += CpuContention{}).wait_s);
}

TEST(CpuContention, ReadsThisProcessFromTheRealProc) {
    if (!fs::exists("/proc/self/schedstat")) GTEST_SKIP() << "this kernel has no schedstat (CONFIG_SCHED_INFO)";
    const CpuCounters c = read_cpu_counters();
    EXPECT_TRUE(c.run_delay_ns.contains(static_cast<int>(::syscall(SYS_gettid))));
    EXPECT_TRUE(c.steal_ticks);
}

}  // namespace
}  // namespace veil::bench
