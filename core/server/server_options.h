// The server's settings, taken from the configuration (and command-line overrides).
#pragma once

#include <cstdint>
#include <string>

namespace veil {
struct Config;
}

namespace veil::server {

struct ServerOptions {
    uint32_t parallel = 2;              // generations at once
    uint32_t queue = 16;                // generations waiting for a slot
    uint64_t max_body_bytes = 1u << 20;
    double drain_seconds = 10;          // grace period for running requests on shutdown
    std::string api_key;                // empty = no authentication
    bool log_content = false;           // prompts/completions in logs (debug level)
    std::string chat_template;          // family name override; empty = detect from the model
    double read_timeout_seconds = 30;   // a client that stops sending mid-request is dropped
    double keep_alive_seconds = 5;      // idle keep-alive connections are closed after this
    int retry_after_seconds = 1;        // Retry-After on 503 when the queue is full

    // From config.server; the API key is read from the variable server.api_key_env names.
    // `log_content` is the effective value (the caller applies the TEE-dependent default).
    static ServerOptions from_config(const Config& config, bool log_content);
};

}  // namespace veil::server
