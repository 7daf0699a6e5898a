// Veil's own endpoints, registered into the route table (one file per group of handlers).
#pragma once

#include "server/router.h"
#include "server/server_context.h"

namespace veil::server {

// POST /v1/chat/completions, POST /v1/completions
void add_completion_routes(Router& router, ServerContext& ctx);
// GET /v1/models (every served model)
void add_model_routes(Router& router, ServerContext& ctx);
// POST /tokenize, POST /detokenize
void add_token_routes(Router& router, ServerContext& ctx);
// GET /health, GET /ready, GET /metrics
void add_ops_routes(Router& router, ServerContext& ctx);

// The served model named `id` (empty: the first one). ApiError 503 while the models are still
// loading, 404 model_not_found (OpenAI's answer) when no served model has that id.
ServerContext::Loaded require_model(const ServerContext& ctx, const std::string& id);
// Every served model, or ApiError 503 while they are still loading.
std::vector<ServerContext::Loaded> require_models(const ServerContext& ctx);

}  // namespace veil::server
