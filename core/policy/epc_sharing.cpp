#include "policy/epc_sharing.h"

#include "policy/policy.h"

namespace veil {

std::optional<std::string> shared_epc_overcommit(std::span<const PolicyDecision> decisions) {
    if (decisions.size() < 2 || decisions.front().epc_source == "none") return std::nullopt;
    const PolicyDecision& first = decisions.front();
    uint64_t asked = 0;
    std::string shares;
    for (const PolicyDecision& d : decisions) {
        const bool streams = d.backend == "backend_stream";
        const uint64_t share = streams ? d.memory_budget : d.model_bytes;
        asked += share;
        shares += (shares.empty() ? "" : ", ") + ("'" + d.model + "' on " + d.backend + " " +
                                                   (streams ? "with a budget of " : "with weights of ") +
                                                   human_bytes(share));
    }
    if (asked <= first.epc_bytes) return std::nullopt;
    return "the " + std::to_string(decisions.size()) + " served models together ask for " + human_bytes(asked) +
           " of protected memory, more than the " + human_bytes(first.epc_bytes) + " EPC (" + first.epc_source +
           ") the policy judged each of them against alone: " + shares +
           ". The TEE may run out of memory under load: serve fewer models, give backend_stream models "
           "smaller budgets, or move models to backend: stream";
}

}  // namespace veil
