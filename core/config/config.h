// Veil's configuration (one YAML file; see conf/veil.yaml for every key, documented).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plugin_host/plugin.h"

namespace veil {

struct ModelConfig {
    std::string id;
    std::string path;                   // resolved against the config file's folder
    std::optional<std::string> sha256;  // pin (lowercase hex)
    std::string format = "gguf";        // gguf | sealed
    std::string backend = "auto";       // auto | full | stream
    std::optional<std::string> key_file;
    std::optional<std::string> key_env;
    uint32_t n_ctx = 0;                 // 0 = the model's training context
    // Named by path on the command line rather than configured: the user picked the file, so no
    // sha256 pin is demanded (its hash still goes into every attestation claim).
    bool from_command_line = false;
};

struct PolicyConfig {
    std::optional<uint64_t> epc_bytes;  // overrides the TEE provider's report
    double stream_threshold = 0.75;
    uint64_t reserve_bytes = 256ull << 20;
};

struct ServerConfig {
    std::string listen = "tcp://127.0.0.1:8080";
    uint32_t parallel = 2;
    uint32_t queue = 16;
    uint64_t max_body_bytes = 1ull << 20;
    double drain_seconds = 10;
    std::optional<std::string> api_key_env;
};

struct LoggingConfig {
    std::string level = "info";
    std::string format = "text";        // text | json
    std::optional<bool> log_content;    // default: false when a TEE provider is active
};

struct Config {
    std::string file;                   // the file it came from
    std::string sha256;                 // hash of the file's bytes (bound into attestation claims)
    std::string plugin_dir;             // resolved
    std::vector<PluginSpec> plugins;
    std::string tee = "auto";           // auto | none | <tee plugin name>
    std::vector<ModelConfig> models;
    PolicyConfig policy;
    ServerConfig server;
    LoggingConfig logging;
};

// Loads, applies VEIL_<SECTION>_<KEY> environment overrides, validates against the schema and
// resolves paths. Throws ConfigError ("file:line:col: key.path: what") on the first problem.
// `default_plugin_dir` is used when the file sets none (normally <veil binary folder>/plugins).
Config load_config(const std::string& path, const std::string& default_plugin_dir);

}  // namespace veil
