#include "server/server_options.h"

#include <cstdlib>

#include "config/config.h"

namespace veil::server {

ServerOptions ServerOptions::from_config(const Config& config, bool log_content) {
    ServerOptions o;
    o.parallel = config.server.parallel;
    o.queue = config.server.queue;
    o.max_body_bytes = config.server.max_body_bytes;
    o.drain_seconds = config.server.drain_seconds;
    o.log_content = log_content;
    if (config.server.api_key_env) {
        const char* key = std::getenv(config.server.api_key_env->c_str());
        if (key != nullptr && *key != '\0') o.api_key = key;
    }
    return o;
}

}  // namespace veil::server
