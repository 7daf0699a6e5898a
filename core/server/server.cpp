#include "server/server.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <spdlog/spdlog.h>

#include "plugin_host/plugin_host.h"
#include "server/dispatcher.h"
#include "server/http_server.h"
#include "server/listen_address.h"
#include "server/routes.h"
#include "server/transport_socket.h"

namespace veil::server {

struct Server::Listener {
    std::string url;
    Poco::Net::ServerSocket socket;
    std::unique_ptr<HttpServer> http;
};

namespace {

// Each connection occupies a pool thread while open, so the pool must hold every running and
// waiting generation plus room for cheap requests (health, metrics), idle keep-alives and clients
// still sending their request; otherwise a full pool would stall requests that should get a quick
// 503. The room is generous because an idle thread costs little, and slow clients can hold one
// each until their header deadline (header_deadline.h).
int pool_capacity(const ServerOptions& o) { return static_cast<int>(o.parallel + o.queue) + 128; }

Poco::Net::HTTPServerParams::Ptr http_params(const ServerOptions& o) {
    Poco::Net::HTTPServerParams::Ptr p = new Poco::Net::HTTPServerParams;
    p->setServerName("veil");
    p->setSoftwareVersion(std::string("veil/") + VEIL_VERSION);
    p->setMaxThreads(pool_capacity(o));
    p->setMaxQueued(256);
    p->setTimeout(Poco::Timespan(static_cast<long>(o.read_timeout_seconds), 0));
    p->setKeepAlive(true);
    p->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(o.keep_alive_seconds), 0));
    p->setMaxKeepAliveRequests(1000);
    return p;
}

const Plugin* transport_for(const PluginHost* plugins, const std::string& scheme, const std::string& url) {
    if (plugins != nullptr) {
        for (const Plugin* p : plugins->ready(VEIL_KIND_TRANSPORT)) {
            for (const char* const* s = p->transport.schemes; s != nullptr && *s != nullptr; ++s)
                if (scheme == *s) return p;
        }
    }
    throw std::runtime_error("listen address '" + url + "': no ready transport plugin serves '" + scheme +
                             "://' (configure transport_vsock in plugins; see 'veil plugins')");
}

}  // namespace

Server::Server(ServerOptions options, const PluginHost* plugins)
    : ctx_(std::move(options)), plugins_(plugins),
      pool_(std::make_unique<Poco::ThreadPool>(2, pool_capacity(ctx_.options), 60)) {
    add_completion_routes(router_, ctx_);
    add_model_routes(router_, ctx_);
    add_token_routes(router_, ctx_);
    add_ops_routes(router_, ctx_);
}

Server::~Server() { shutdown(); }

std::string Server::listen(const std::string& address) {
    ListenAddress a = parse_listen_address(address);
    auto l = std::make_unique<Listener>();
    if (a.scheme == "tcp") {
        try {
            Poco::Net::SocketAddress sa(a.host, a.port);
            // SO_REUSEADDR (restart while old connections linger), but not SO_REUSEPORT, which
            // Poco's convenience constructor also sets: with it a second server on the same port
            // starts without error and the kernel splits the clients between the two.
            Poco::Net::ServerSocket socket;
            socket.bind(sa, /*reuseAddress=*/true, /*reusePort=*/false);
            socket.listen(64);
            l->socket = socket;
        } catch (const Poco::Exception& e) {
            throw std::runtime_error("listen address '" + address + "': " + e.displayText());
        }
        std::string host = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
        l->url = "http://" + host + ":" + std::to_string(l->socket.address().port());
    } else {
        const Plugin* p = transport_for(plugins_, a.scheme, address);
        l->socket = TransportServerSocket(*p, address);
        l->url = address;
    }
    l->http = std::make_unique<HttpServer>(new DispatcherFactory(router_, ctx_), *pool_, l->socket,
                                           http_params(ctx_.options), ctx_);
    l->http->start();
    std::string url = l->url;
    listeners_.push_back(std::move(l));
    spdlog::info("listening on {}", url);
    return url;
}

void Server::set_models(std::vector<std::shared_ptr<ServedModel>> models) {
    if (models.empty()) throw std::invalid_argument("no model to serve");
    std::vector<ServerContext::Loaded> loaded;
    for (auto& model : models) {
        for (const auto& other : loaded)
            if (other.model->id() == model->id())
                throw std::invalid_argument("two served models have the id '" + model->id() + "'");
        auto format = chat::ModelChatFormat::choose(*model, ctx_.options.chat_template);
        spdlog::info("model '{}' ready (chat template: {}, from {})", model->id(), chat::family_name(format.family()),
                     format.source());
        ctx_.metrics.model(model->id());  // its series show (at zero) before the first request
        loaded.push_back({std::move(model), format});
    }
    ctx_.set_models(std::move(loaded));
}

bool Server::shutdown() {
    if (stopped_) return true;
    stopped_ = true;
    ctx_.readiness.set("draining", false, "shutting down");
    ctx_.draining = true;
    // Stop accepting; new connections are refused at once instead of waiting in a backlog.
    // (Not stopAll(false): Poco then blocks until each connection's current request is done.)
    for (auto& l : listeners_) {
        l->http->stop();
        l->socket.close();
    }
    // Requests already admitted (running or queued) may finish within the grace period.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(ctx_.options.drain_seconds);
    bool drained = true;
    while (ctx_.in_flight.load() > 0 || ctx_.admission.running() + ctx_.admission.waiting() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            drained = false;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!drained) {
        spdlog::warn("drain period of {}s over; cancelling {} running generation(s)", ctx_.options.drain_seconds,
                     ctx_.admission.running());
        ctx_.cancel_all = true;
        ctx_.admission.close();
        ctx_.admission.wait_idle(5);
    }
    // Idle keep-alive connections are closed now rather than at their timeout.
    for (auto& l : listeners_) l->http->stopAll(true);
    pool_->joinAll();
    listeners_.clear();
    return drained;
}

}  // namespace veil::server
