#include "plugin_host/tee_choice.h"

#include <stdexcept>

namespace veil {

Plugin* choose_tee(const Config& config, const PluginHost& plugins) {
    if (config.tee == "none") return nullptr;
    if (config.tee == "auto") {
        auto ready = plugins.ready(VEIL_KIND_TEE);
        return ready.empty() ? nullptr : ready.front();
    }
    Plugin* p = plugins.find(config.tee);
    if (p == nullptr) throw std::runtime_error("tee: '" + config.tee + "' is not a loaded plugin");
    if (p->kind != VEIL_KIND_TEE && p->status != PluginStatus::Refused)
        throw std::runtime_error("tee: '" + config.tee + "' is a " + kind_name(p->kind) + " plugin, not a TEE provider");
    if (p->status != PluginStatus::Ready)
        throw std::runtime_error("tee: '" + config.tee + "' is configured but cannot attest here: " + p->message());
    return p;
}

uint64_t tee_epc_bytes(const Plugin& tee) {
    uint64_t bytes = 0;
    throw_if_error(tee.tee.epc_bytes(tee.instance, &bytes), tee.spec.name + ": epc_bytes");
    return bytes;
}

}  // namespace veil
