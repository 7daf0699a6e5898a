// Veil's HTTP server: the OpenAI-compatible API on Poco's HTTP stack (server/http_server.h), on
// any number of listeners (tcp:// built in; vsock://, unix:// through a transport plugin), all
// sharing one route table, one admission queue and one set of metrics.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/served_model.h"
#include "server/router.h"
#include "server/server_context.h"
#include "server/server_options.h"

namespace Poco {
class ThreadPool;
}

namespace veil {
class PluginHost;
}

namespace veil::server {

class Server {
public:
    // `plugins` (may be null) supplies transport plugins for non-tcp listen addresses.
    explicit Server(ServerOptions options, const PluginHost* plugins = nullptr);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Add routes before the first listen() (e.g. GET /v1/attestation from the TEE side).
    Router& routes() { return router_; }
    Readiness& readiness() { return ctx_.readiness; }
    ServerContext& context() { return ctx_; }

    // Starts serving on `address` and returns the URL clients use (with the real port when
    // tcp://HOST:0 asked for any free one). Throws std::runtime_error / std::invalid_argument
    // naming the address on failure.
    std::string listen(const std::string& address);

    // Starts serving `models` (until then completions answer 503 and /ready is 503); requests
    // pick one by its id, the first answers those that name none. Each model's chat format is
    // chosen now (options.chat_template or the model's template). Throws std::invalid_argument
    // when the list is empty or two models share an id.
    void set_models(std::vector<std::shared_ptr<ServedModel>> models);
    void set_model(std::shared_ptr<ServedModel> model) { set_models({std::move(model)}); }

    // Graceful stop: /ready turns 503, listeners stop accepting, running requests get
    // options.drain_seconds to finish; what still runs then is cancelled. Returns true when
    // everything finished within the grace period. Idempotent.
    bool shutdown();

private:
    ServerContext ctx_;
    Router router_;
    const PluginHost* plugins_;
    std::unique_ptr<Poco::ThreadPool> pool_;
    struct Listener;
    std::vector<std::unique_ptr<Listener>> listeners_;
    bool stopped_ = false;
};

}  // namespace veil::server
