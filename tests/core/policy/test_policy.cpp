#include <gtest/gtest.h>

#include "policy/policy.h"

namespace veil {
namespace {

constexpr uint64_t GiB = 1ull << 30;

PolicyInputs inputs(uint64_t model, uint64_t epc) {
    PolicyInputs in;
    in.model_id = "x";
    in.model_bytes = model;
    in.epc_bytes = epc;
    in.epc_source = "tee_snp";
    in.reserve_bytes = 256ull << 20;
    return in;
}

TEST(Policy, SmallModelRunsFull) {
    PolicyDecision d = decide_backend(inputs(1 * GiB, 4 * GiB));
    EXPECT_EQ(d.backend, "backend_full");
    EXPECT_EQ(d.memory_budget, 0u);
    EXPECT_EQ(d.epc_source, "tee_snp");
}

TEST(Policy, LargeModelStreamsWithEpcMinusReserve) {
    PolicyDecision d = decide_backend(inputs(4 * GiB, 4 * GiB));
    EXPECT_EQ(d.backend, "backend_stream");
    EXPECT_EQ(d.memory_budget, 4 * GiB - (256ull << 20));
}

TEST(Policy, ExactlyAtTheThresholdStaysFullOneByteMoreStreams) {
    // 75% of 4 GiB is exactly 3 GiB: "strictly greater" streams.
    EXPECT_EQ(decide_backend(inputs(3 * GiB, 4 * GiB)).backend, "backend_full");
    EXPECT_EQ(decide_backend(inputs(3 * GiB + 1, 4 * GiB)).backend, "backend_stream");
}

TEST(Policy, BoundaryWithAFractionalLimitRoundsNeitherWay) {
    // 0.75 * 1001 = 750.75: 750 fits, 751 exceeds.
    EXPECT_EQ(decide_backend(inputs(750, 1001)).backend, "backend_full");
    auto in = inputs(751, 1001);
    in.reserve_bytes = 0;
    EXPECT_EQ(decide_backend(in).backend, "backend_stream");
}

TEST(Policy, MissingStreamPluginIsRefusedWithTheNumbers) {
    PolicyInputs in = inputs(4402341478ull, 3 * GiB);  // 4.1 GiB
    in.stream_available = false;
    try {
        decide_backend(in);
        FAIL();
    } catch (const PolicyError& e) {
        EXPECT_STREQ(e.what(),
                     "model 'x' has 4.10 GiB of weights; 75% of the 3.00 GiB EPC reported by tee_snp is 2.25 GiB; "
                     "enable plugins/backend_stream or raise the EPC");
    }
}

TEST(Policy, ExplicitChoiceOverridesTheThreshold) {
    PolicyInputs in = inputs(1 * GiB, 4 * GiB);
    in.requested = "stream";
    EXPECT_EQ(decide_backend(in).backend, "backend_stream");
    in = inputs(3500ull << 20, 4 * GiB);
    in.requested = "full";
    EXPECT_EQ(decide_backend(in).backend, "backend_full");
}

TEST(Policy, ExplicitFullThatCannotHoldTheModelIsRefused) {
    PolicyInputs in = inputs(5 * GiB, 4 * GiB);
    in.requested = "full";
    EXPECT_THROW(decide_backend(in), PolicyError);
}

TEST(Policy, ConfigEpcIsNamedAsTheSource) {
    PolicyInputs in = inputs(4 * GiB, 4 * GiB);
    in.epc_source = "config";
    in.stream_available = false;
    try {
        decide_backend(in);
        FAIL();
    } catch (const PolicyError& e) {
        EXPECT_NE(std::string(e.what()).find("EPC set by policy.epc_bytes"), std::string::npos) << e.what();
    }
}

TEST(Policy, UnknownEpcRunsFull) {
    PolicyInputs in = inputs(100 * GiB, 0);
    in.epc_bytes.reset();
    PolicyDecision d = decide_backend(in);
    EXPECT_EQ(d.backend, "backend_full");
    EXPECT_EQ(d.epc_source, "none");
}

TEST(Policy, ReserveLargerThanEpcIsRefused) {
    PolicyInputs in = inputs(4 * GiB, 4 * GiB);
    in.reserve_bytes = 5 * GiB;
    EXPECT_THROW(decide_backend(in), PolicyError);
}

}  // namespace
}  // namespace veil
