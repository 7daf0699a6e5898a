// A real server on 127.0.0.1 (ephemeral port) around a FakeServedModel.
#pragma once

#include <csignal>
#include <memory>

#include <Poco/URI.h>

#include "fake_served_model.h"
#include "http_test_client.h"
#include "server/server.h"

namespace veil::test {

inline server::ServerOptions quick_options() {
    server::ServerOptions o;
    o.drain_seconds = 5;
    o.read_timeout_seconds = 5;
    return o;
}

struct TestServer {
    std::shared_ptr<FakeServedModel> model;
    std::unique_ptr<server::Server> server;
    std::string url;

    explicit TestServer(server::ServerOptions options = quick_options(),
                        std::shared_ptr<FakeServedModel> m = std::make_shared<FakeServedModel>(), bool load = true)
        : model(std::move(m)) {
        std::signal(SIGPIPE, SIG_IGN);  // as `veil serve` does: a vanished client must not kill us
        server = std::make_unique<server::Server>(options);
        url = server->listen("tcp://127.0.0.1:0");
        if (load) server->set_model(model);
    }
    uint16_t port() const { return Poco::URI(url).getPort(); }

    HttpReply get(const std::string& path, const std::map<std::string, std::string>& h = {}) const {
        return http(url, "GET", path, "", h);
    }
    HttpReply post(const std::string& path, const std::string& body,
                   const std::map<std::string, std::string>& h = {}) const {
        return http(url, "POST", path, body, h);
    }
};

}  // namespace veil::test
