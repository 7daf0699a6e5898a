#include "bench/disk_bandwidth.h"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <vector>

#include "../gguf/gguf_test_util.h"

namespace veil::bench {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

std::string write_file(test::TempDir& dir, const std::string& name, uint64_t bytes) {
    const std::string path = dir.file(name);
    std::ofstream f(path, std::ios::binary);
    std::vector<char> chunk(kMiB, 'x');
    for (uint64_t done = 0; done < bytes; done += chunk.size())
        f.write(chunk.data(), static_cast<std::streamsize>(std::min<uint64_t>(chunk.size(), bytes - done)));
    return path;
}

TEST(DiskBandwidth, ReadsTheWholeFileWithAPlausibleFigure) {
    test::TempDir dir;
    const std::string path = write_file(dir, "f", 10 * kMiB + 123);
    DiskBandwidth bw = measure_file_read_bandwidth(path, 1ull << 30, 2);
    EXPECT_EQ(bw.bytes, 10 * kMiB + 123);
    EXPECT_EQ(bw.passes, 2u);
    EXPECT_TRUE(bw.method == "O_DIRECT" || bw.method == "fadvise") << bw.method;
    // Anything from a slow disk to a RAM-backed one.
    EXPECT_GT(bw.bytes_per_s, 1e6);
    EXPECT_LT(bw.bytes_per_s, 200e9);
}

TEST(DiskBandwidth, StopsAfterMaxBytesInWholeRequests) {
    test::TempDir dir;
    const std::string path = write_file(dir, "f", 20 * kMiB);
    DiskBandwidth bw = measure_file_read_bandwidth(path, 5 * kMiB, 1);
    EXPECT_EQ(bw.bytes, 8 * kMiB);  // two 4 MiB requests cover the 5 MiB asked for
}

TEST(DiskBandwidth, ErrorsNameTheFile) {
    test::TempDir dir;
    try {
        measure_file_read_bandwidth(dir.file("missing"), kMiB, 1);
        FAIL() << "no error for a missing file";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
    }
    const std::string empty = write_file(dir, "empty", 0);
    EXPECT_THROW(measure_file_read_bandwidth(empty, kMiB, 1), std::invalid_argument);
    EXPECT_THROW(measure_file_read_bandwidth(empty, kMiB, 0), std::invalid_argument);
}

}  // namespace
}  // namespace veil::bench
