#include "policy/plan.h"

#include "plugin_host/tee_choice.h"

namespace veil {

PolicyInputs gather_policy_inputs(const Config& config, const PluginHost& plugins, const ModelConfig& model,
                                  uint64_t weight_bytes, std::optional<uint64_t> epc_override) {
    PolicyInputs in;
    in.model_id = model.id;
    in.model_bytes = weight_bytes;
    in.threshold = config.policy.stream_threshold;
    in.reserve_bytes = config.policy.reserve_bytes;
    in.requested = model.backend;
    auto ready = [&](const char* name) {
        const Plugin* p = plugins.find(name);
        return p != nullptr && p->status == PluginStatus::Ready && p->kind == VEIL_KIND_BACKEND;
    };
    in.full_available = ready("backend_full");
    in.stream_available = ready("backend_stream");
    if (epc_override) {
        in.epc_bytes = *epc_override;
        in.epc_source = "--epc-bytes";
    } else if (config.policy.epc_bytes) {
        in.epc_bytes = *config.policy.epc_bytes;
        in.epc_source = "config";
    } else if (const Plugin* tee = choose_tee(config, plugins)) {
        in.epc_bytes = tee_epc_bytes(*tee);
        in.epc_source = tee->spec.name;
    }
    return in;
}

}  // namespace veil
