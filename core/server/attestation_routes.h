// GET /v1/attestation?nonce=HEX[&model=ID]: a Veil evidence bundle from the active TEE provider,
// binding the client's nonce, the config and plugin hashes and the served model the client asks
// about (default: the first; an unknown id answers 404). Plus the start-up self-check
// that gates readiness condition "tee".
#pragma once

#include <string>

#include "plugin_host/plugin_host.h"
#include "server/router.h"
#include "server/server_context.h"

namespace veil::server {

// `tee` null → the route answers 503 (no TEE provider is active). `host` and `tee` must outlive
// the server.
void add_attestation_routes(Router& router, ServerContext& ctx, const PluginHost& host, const Plugin* tee,
                            std::string config_sha256);

// Attests with a random nonce and verifies the result with the same plugin (allow_simulated only
// when the provider is simulated). Throws (AttestationError / PluginCallError) naming the failure.
void tee_self_check(const PluginHost& host, const Plugin& tee, const std::string& config_sha256);

}  // namespace veil::server
