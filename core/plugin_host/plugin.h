// One configured plugin as the host sees it: where it came from, whether it loaded, and its
// validated ABI tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "plugin_host/host_api.h"
#include "veil/backend.h"
#include "veil/plugin.h"
#include "veil/tee.h"
#include "veil/transport.h"

namespace veil {

// What the configuration says about a plugin.
struct PluginSpec {
    std::string name;                  // configured name; must equal the plugin's own name
    std::string path;                  // file to load (resolved)
    std::string display_path;          // as the user wrote it, for messages
    std::optional<std::string> sha256; // pinned hash (lowercase hex), checked before dlopen
    std::string config_json = "{}";    // the plugin's own config section, as JSON
};

enum class PluginStatus {
    Ready,     // loaded, probe > 0, instance created
    Unusable,  // loaded, but probe returned 0 (reason says why); no instance
    Refused,   // not loaded or not created (reason says why)
};

const char* to_string(PluginStatus s);
const char* kind_name(uint32_t kind);  // "backend" | "tee" | "transport" | "unknown"

struct Plugin {
    PluginSpec spec;
    PluginStatus status = PluginStatus::Refused;
    std::string reason;       // for Unusable/Refused; reads after label(): "was built against ..."
    std::string sha256;       // of the file that was (or would have been) loaded; empty if unreadable

    // Valid once the plugin's info was accepted:
    uint32_t kind = 0;        // veil_plugin_kind
    uint32_t abi_major = 0, abi_minor = 0;
    uint64_t capabilities = 0;
    std::string version;
    uint32_t probe_score = 0;

    // Valid when status == Ready:
    const HostApi* host = nullptr;   // lives for the process
    void* instance = nullptr;
    veil_plugin_info info{};         // copy of min(struct_size, sizeof) bytes; rest zero
    veil_backend_vtable backend{};   // the kind's vtable, copied the same way (others stay zero)
    veil_tee_vtable tee{};
    veil_transport_vtable transport{};

    std::string abi() const { return std::to_string(abi_major) + "." + std::to_string(abi_minor); }
    // "plugin 'tee_tdx' (plugins/libveil-tee-tdx.so)" — the prefix of every message about it.
    std::string label() const { return "plugin '" + spec.name + "' (" + spec.display_path + ")"; }
    // The full sentence for a refusal or an unusable probe: label() + " " + reason.
    std::string message() const { return label() + (status == PluginStatus::Unusable ? " is unusable here: " : " ") + reason; }
};

}  // namespace veil
