// The protected-memory estimate from /proc/meminfo and cgroup v1/v2 fixtures.
#include <gtest/gtest.h>

#include "tee_test_util.hpp"
#include "veil/plugin.hpp"
#include "veil/tee_common/epc.hpp"

using namespace veil::test;
using veil::tee::estimate_epc;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;

class Epc : public ::testing::Test {
protected:
    void meminfo(uint64_t avail_kb) {
        dir.write("proc/meminfo", "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:   " +
                                      std::to_string(avail_kb) + " kB\nBuffers:          1000 kB\n");
    }
    uint64_t run(uint64_t reserve = 0) {
        return estimate_epc((dir.path() / "proc").string(), (dir.path() / "sys").string(), reserve).bytes;
    }
    TempDir dir;
};

TEST_F(Epc, MeminfoOnly) {
    meminfo(4096 * 1024);  // 4 GiB
    EXPECT_EQ(run(), 4096 * kMiB);
    EXPECT_EQ(run(512 * kMiB), 3584 * kMiB);
}

TEST_F(Epc, CgroupV2LimitMinusUsage) {
    meminfo(4096 * 1024);
    dir.write("proc/self/cgroup", "0::/veil.slice/app.scope\n");
    dir.write("sys/fs/cgroup/veil.slice/app.scope/memory.max", "1073741824\n");
    dir.write("sys/fs/cgroup/veil.slice/app.scope/memory.current", "268435456\n");
    dir.write("sys/fs/cgroup/veil.slice/memory.max", "max\n");
    EXPECT_EQ(run(), 768 * kMiB);
    EXPECT_EQ(run(100 * kMiB), 668 * kMiB);
}

TEST_F(Epc, CgroupV2MaxIsUnlimited) {
    meminfo(2048 * 1024);
    dir.write("proc/self/cgroup", "0::/app\n");
    dir.write("sys/fs/cgroup/app/memory.max", "max\n");
    dir.write("sys/fs/cgroup/app/memory.current", "1000\n");
    EXPECT_EQ(run(), 2048 * kMiB);
}

TEST_F(Epc, CgroupV2AncestorIsTighter) {
    meminfo(8192 * 1024);
    dir.write("proc/self/cgroup", "0::/outer/inner\n");
    dir.write("sys/fs/cgroup/outer/inner/memory.max", "4294967296\n");
    dir.write("sys/fs/cgroup/outer/inner/memory.current", "0\n");
    dir.write("sys/fs/cgroup/outer/memory.max", "536870912\n");  // 512 MiB
    dir.write("sys/fs/cgroup/outer/memory.current", "134217728\n");
    EXPECT_EQ(run(), 384 * kMiB);
}

TEST_F(Epc, CgroupV2MissingUsageCountsAsZero) {
    meminfo(8192 * 1024);
    dir.write("proc/self/cgroup", "0::/app\n");
    dir.write("sys/fs/cgroup/app/memory.max", "1073741824\n");
    EXPECT_EQ(run(), 1024 * kMiB);
}

TEST_F(Epc, CgroupV1) {
    meminfo(8192 * 1024);
    dir.write("proc/self/cgroup", "5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n");
    dir.write("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "2147483648\n");
    dir.write("sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", "1073741824\n");
    EXPECT_EQ(run(), 1024 * kMiB);
}

TEST_F(Epc, CgroupV1UnlimitedIsIgnored) {
    meminfo(1024 * 1024);
    dir.write("proc/self/cgroup", "4:memory:/\n");
    dir.write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
    dir.write("sys/fs/cgroup/memory/memory.usage_in_bytes", "5000\n");
    EXPECT_EQ(run(), 1024 * kMiB);
}

TEST_F(Epc, MeminfoSmallerThanCgroupRoom) {
    meminfo(256 * 1024);
    dir.write("proc/self/cgroup", "0::/\n");
    dir.write("sys/fs/cgroup/memory.max", "1073741824\n");
    dir.write("sys/fs/cgroup/memory.current", "0\n");
    EXPECT_EQ(run(), 256 * kMiB);
}

TEST_F(Epc, MissingMeminfoUsesCgroup) {
    dir.write("proc/self/cgroup", "0::/a\n");
    dir.write("sys/fs/cgroup/a/memory.max", "1073741824\n");
    dir.write("sys/fs/cgroup/a/memory.current", "73741824\n");
    EXPECT_EQ(run(), 1000000000u);
}

TEST_F(Epc, NothingReadableIsAnError) {
    try {
        run();
        FAIL() << "expected an error";
    } catch (const veil::sdk::Error& e) {
        EXPECT_EQ(e.code(), VEIL_ERR_NOT_FOUND);
    }
}

TEST_F(Epc, ReserveLargerThanAvailableGivesZero) {
    meminfo(1024);
    EXPECT_EQ(run(10 * kMiB), 0u);
}

TEST_F(Epc, ThroughThePlugins) {
    meminfo(2048 * 1024);
    std::string cfg = R"({"mode":"verify","proc_root":")" + (dir.path() / "proc").string() + R"(","sys_root":")" +
                      (dir.path() / "sys").string() + R"(","epc_reserve_bytes":1048576})";
    for (const char* path : {TEE_SNP_PLUGIN, TEE_TDX_PLUGIN}) {
        TeePlugin p(path, cfg);
        uint64_t bytes = 0;
        auto r = p.epc(bytes);
        ASSERT_TRUE(r.ok()) << r.message;
        EXPECT_EQ(bytes, 2047 * kMiB);
    }
}

}  // namespace
