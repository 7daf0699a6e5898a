// Loads the configured plugins: hash pin, dlopen, ABI checks, probe and create — each inside
// exception containment, so a bad plugin is refused with a reason and the host lives on.
#pragma once

#include <memory>
#include <vector>

#include "plugin_host/plugin.h"

namespace veil {

class PluginHost {
public:
    PluginHost() = default;
    // Destroys every created instance (in reverse load order). Shared objects stay mapped: plugins
    // are never dlclose'd, because a thread the plugin started may still be running inside it.
    ~PluginHost();
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    // Loads one plugin; never throws for a bad plugin (the result says Refused and why).
    Plugin& load(const PluginSpec& spec);
    void load_all(const std::vector<PluginSpec>& specs);

    const std::vector<std::unique_ptr<Plugin>>& plugins() const { return plugins_; }
    Plugin* find(const std::string& name) const;
    // Ready plugins of `kind`, highest probe score first (ties: configuration order).
    std::vector<Plugin*> ready(veil_plugin_kind kind) const;

private:
    std::vector<std::unique_ptr<Plugin>> plugins_;
};

}  // namespace veil
