// Gathers the policy engine's inputs for one configured model — without loading any weights.
#pragma once

#include <optional>

#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "policy/policy.h"

namespace veil {

// Weight bytes = sum of the tensor table's byte sizes (from the model file's header only).
// `epc_override` (e.g. --epc-bytes) wins over policy.epc_bytes, which wins over the TEE provider.
PolicyInputs gather_policy_inputs(const Config& config, const PluginHost& plugins, const ModelConfig& model,
                                  uint64_t weight_bytes, std::optional<uint64_t> epc_override);

}  // namespace veil
