// What a backend may still allocate: MemAvailable, and the refusal that names the sizes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "veil/backend_common/available_memory.h"
#include "veil/plugin.hpp"

namespace veil::backend_common {
namespace {

TEST(AvailableMemory, ReadsMemAvailableOfMeminfo) {
    const auto path = std::filesystem::temp_directory_path() / ("veil-meminfo-" + std::to_string(::getpid()));
    std::ofstream(path) << "MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:    2048 kB\n";
    EXPECT_EQ(available_memory(path.string()), std::optional<uint64_t>(2048 * 1024));
    std::ofstream(path) << "MemTotal:       24576000 kB\n";
    EXPECT_EQ(available_memory(path.string()), std::nullopt);
    std::filesystem::remove(path);
    EXPECT_EQ(available_memory(path.string()), std::nullopt);
    EXPECT_TRUE(available_memory().has_value());  // this machine's
}

TEST(AvailableMemory, MoreThanAvailableIsRefusedNamingBothSizes) {
    const uint64_t gib = uint64_t{1} << 30;
    EXPECT_NO_THROW(require_available_memory(gib, "x", 2 * gib));
    EXPECT_NO_THROW(require_available_memory(100 * gib, "x", std::nullopt));  // unknown: no refusal
    try {
        require_available_memory(10 * gib, "the KV cache of a session of 16777216 positions", 3 * gib);
        FAIL();
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), VEIL_ERR_OUT_OF_MEMORY);
        EXPECT_STREQ(e.what(),
                     "the KV cache of a session of 16777216 positions needs 10.00 GiB, but the machine has only 3.00 GiB "
                     "available (MemAvailable)");
    }
}

}  // namespace
}  // namespace veil::backend_common
