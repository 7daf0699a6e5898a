// The host side of veil_host_api: the error objects, logging, and memory that every plugin uses.
#pragma once

#include <memory>
#include <string>

#include "veil/plugin.h"

// The opaque error type of the C ABI, defined by the host (the only side that creates it).
struct veil_error {
    veil_error_code code;
    std::string message;
};

namespace veil {

// Owns an error returned across the ABI.
struct ErrorDeleter {
    void operator()(veil_error* e) const noexcept;
};
using ErrorPtr = std::unique_ptr<veil_error, ErrorDeleter>;

// Throws PluginCallError carrying the error's code and message (prefixed with `context`) when
// `err` is non-NULL; releases it either way.
void throw_if_error(veil_error* err, const std::string& context);

class PluginCallError : public std::runtime_error {
public:
    PluginCallError(veil_error_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
    veil_error_code code() const noexcept { return code_; }

private:
    veil_error_code code_;
};

// One veil_host_api per plugin, so that its log records carry the plugin's name. Lives as long as
// the process (plugins are never unloaded), hence never destroyed once handed out.
class HostApi {
public:
    // A new HostApi that lives until the process exits (kept reachable, so leak checkers know it
    // is intentional): plugins may call it from their own threads until the very end.
    static const HostApi& create_for_process(std::string plugin_name);

    explicit HostApi(std::string plugin_name);
    const veil_host_api* api() const noexcept { return &api_; }
    const std::string& plugin_name() const noexcept { return name_; }

    // Allocation and errors without a plugin attached (used by the host's own ABI objects).
    static veil_error* new_error(veil_error_code code, const std::string& message) noexcept;

private:
    std::string name_;
    veil_host_api api_;
};

}  // namespace veil
