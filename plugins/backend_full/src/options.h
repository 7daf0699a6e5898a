// The load options backend_full understands, parsed from the host's options JSON; the plugin's
// own configuration (YAML `config:`) takes the same keys and gives the defaults.
#pragma once

#include <string>

namespace veil::backend_full {

struct LoadOptions {
    int threads = 0;     // "threads": worker threads incl. the caller; default = hardware threads
    bool mlock = false;  // "mlock": pin the weights in RAM so they never reach swap
};

// The keys `json` has override `base` (the configured defaults); threads 0 then becomes the
// hardware threads. Throws veil::sdk::Error(VEIL_ERR_INVALID_ARGUMENT) naming the bad key. Keys
// meant for other backends (e.g. "memory_budget") are ignored so one options object can serve
// every backend.
LoadOptions parse_load_options(const std::string& json, LoadOptions base = {});

// The plugin's own configuration: the defaults, in the load options' keys, and only those (a
// misspelt key is refused, not ignored).
LoadOptions parse_config(const std::string& config_json);

}  // namespace veil::backend_full
