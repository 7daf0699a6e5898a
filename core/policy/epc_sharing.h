// Several served models share one protected memory, but decide_backend judges each alone against
// all of it. What their decisions ask of the EPC together: backend_full keeps its weights
// resident, backend_stream holds up to its budget.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "runtime/served_model.h"

namespace veil {

// A warning naming every model's share when the decisions together ask for more than the EPC they
// were judged against; nullopt when they fit, when no EPC is known, or for a single model.
std::optional<std::string> shared_epc_overcommit(std::span<const PolicyDecision> decisions);

}  // namespace veil
