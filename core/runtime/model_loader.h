// Loads a configured model the way `veil serve` does: pin check, policy decision, backend plugin.
#pragma once

#include <memory>

#include "config/config.h"
#include "plugin_host/plugin_host.h"
#include "runtime/served_model.h"

namespace veil {

// Opens the model, verifies its sha256 pin, decides the backend (policy), loads it through the
// chosen backend plugin and prepares `parallel` sessions. Throws std::runtime_error with a clear
// message (naming the model and the failed step) on any failure.
std::unique_ptr<ServedModel> load_served_model(const Config& config, PluginHost& plugins, const ModelConfig& model,
                                               uint32_t parallel);

}  // namespace veil
