// Veil's own endpoints, registered into the route table (one file per group of handlers).
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace veil::server {

// POST /v1/chat/completions, POST /v1/completions
void add_completion_routes(Router& router, ServerContext& ctx);
// GET /v1/models
void add_model_routes(Router& router, ServerContext& ctx);
// POST /tokenize, POST /detokenize
void add_token_routes(Router& router, ServerContext& ctx);
// GET /health, GET /ready, GET /metrics
void add_ops_routes(Router& router, ServerContext& ctx);

// The loaded model, or ApiError 503 while it is still loading.
ServerContext::Loaded require_model(const ServerContext& ctx);

}  // namespace veil::server
