// Which TEE provider attests this deployment: `tee:` in the configuration.
#pragma once

#include "config/config.h"
#include "plugin_host/plugin_host.h"

namespace veil {

// "none" → nullptr. "auto" → the ready TEE plugin with the highest probe score, or nullptr when
// none is usable here. A plugin name → that plugin, which must be ready (throws
// std::runtime_error with the plugin's reason otherwise — a named TEE never silently disappears).
Plugin* choose_tee(const Config& config, const PluginHost& plugins);

// Asks the provider for its protected-memory size. Throws PluginCallError naming the plugin.
uint64_t tee_epc_bytes(const Plugin& tee);

}  // namespace veil
