// The load options backend_stream understands, parsed from the host's options JSON; the plugin's
// own configuration (YAML `config:`) takes the same keys and gives the defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::backend_stream {

struct LoadOptions {
    int threads = 0;                       // "threads": compute threads incl. the caller; default = hardware threads
    std::optional<uint64_t> memory_budget; // "memory_budget": bytes everything the model holds must fit in
    // "n_ctx": positions of the sessions the host means to open. The load minimum holds one such
    // session (default: one of the training context, which for long-context models is a KV cache
    // of gigabytes); larger sessions are charged when opened, evicting resident layers or refused.
    std::optional<uint32_t> n_ctx;
};

// The keys `json` has override `base` (the configured defaults); threads 0 then becomes the
// hardware threads. Throws veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT) naming the bad key. Keys
// meant for other backends (e.g. "mlock") are ignored so one options object can serve every
// backend.
LoadOptions parse_load_options(const std::string& json, LoadOptions base = {});

// The plugin's own configuration: the defaults, in the load options' keys, and only those (a
// misspelt key is refused, not ignored).
LoadOptions parse_config(const std::string& config_json);

}  // namespace veil::backend_stream
