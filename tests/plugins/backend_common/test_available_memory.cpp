// What a backend may still allocate, and the refusal that names the sizes. (How MemAvailable and
// the cgroup limits are read is tested through the TEE plugins' EPC estimate, tests/plugins/tee.)
#include <gtest/gtest.h>

#include "veil/backend_common/available_memory.h"
#include "veil/plugin.hpp"

namespace veil::backend_common {
namespace {

TEST(AvailableMemory, IsKnownHere) {
    const auto available = available_memory();
    ASSERT_TRUE(available.has_value());
    EXPECT_GT(*available, 0u);
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
                     "the KV cache of a session of 16777216 positions needs 10.00 GiB, but this process can have only "
                     "3.00 GiB more (MemAvailable, cgroup limits)");
    }
}

}  // namespace
}  // namespace veil::backend_common
