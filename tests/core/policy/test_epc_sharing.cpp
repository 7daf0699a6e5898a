#include "policy/epc_sharing.h"

#include <gtest/gtest.h>

#include <vector>

namespace veil {
namespace {

constexpr uint64_t GiB = 1ull << 30;

PolicyDecision decision(const std::string& model, const std::string& backend, uint64_t bytes, uint64_t budget,
                        uint64_t epc = 4 * GiB, const std::string& source = "tee_snp") {
    return {.model = model, .model_bytes = bytes, .epc_bytes = epc, .epc_source = source, .threshold = 0.75,
            .backend = backend, .memory_budget = budget, .reason = ""};
}

TEST(EpcSharing, ModelsThatFitTogetherSayNothing) {
    const std::vector<PolicyDecision> ds = {decision("a", "backend_full", 1 * GiB, 0),
                                            decision("b", "backend_full", 2 * GiB, 0)};
    EXPECT_FALSE(shared_epc_overcommit(ds));
    EXPECT_FALSE(shared_epc_overcommit(std::span(ds).first(1)));
}

TEST(EpcSharing, ResidentWeightsAndStreamBudgetsBeyondTheEpcAreNamed) {
    // Each fits alone (3 GiB is 75% of 4 GiB); together they ask for 6 GiB.
    const std::vector<PolicyDecision> full = {decision("a", "backend_full", 3 * GiB, 0),
                                              decision("b", "backend_full", 3 * GiB, 0)};
    auto w = shared_epc_overcommit(full);
    ASSERT_TRUE(w);
    EXPECT_NE(w->find("ask for 6.00 GiB"), std::string::npos) << *w;
    EXPECT_NE(w->find("4.00 GiB EPC (tee_snp)"), std::string::npos) << *w;
    EXPECT_NE(w->find("'a' on backend_full with weights of 3.00 GiB"), std::string::npos) << *w;
    EXPECT_NE(w->find("'b' on backend_full"), std::string::npos) << *w;

    // A streamed model's share is its budget, not its weights.
    const std::vector<PolicyDecision> mixed = {decision("big", "backend_stream", 20 * GiB, 3 * GiB + GiB / 2),
                                               decision("small", "backend_full", 1 * GiB, 0)};
    w = shared_epc_overcommit(mixed);
    ASSERT_TRUE(w);
    EXPECT_NE(w->find("'big' on backend_stream with a budget of 3.50 GiB"), std::string::npos) << *w;
    EXPECT_NE(w->find("ask for 4.50 GiB"), std::string::npos) << *w;
}

TEST(EpcSharing, NoKnownEpcSaysNothing) {
    const std::vector<PolicyDecision> ds = {decision("a", "backend_full", 3 * GiB, 0, 0, "none"),
                                            decision("b", "backend_full", 3 * GiB, 0, 0, "none")};
    EXPECT_FALSE(shared_epc_overcommit(ds));
}

}  // namespace
}  // namespace veil
