// Poco's request handler factory for every listener: routes each request through the route table,
// enforces the API key, turns exceptions into error responses and counts the response status.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "server/router.h"
#include "server/server_context.h"

namespace veil::server {

class DispatcherFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    DispatcherFactory(const Router& router, ServerContext& ctx) : router_(router), ctx_(ctx) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

    // Tells every connection created for this factory that its server stopped (abort_current:
    // shut down those in the middle of a request too), as Poco::Net::HTTPServer::stopAll does.
    void stop_connections(bool abort_current) { serverStopped(this, abort_current); }

private:
    const Router& router_;
    ServerContext& ctx_;
};

}  // namespace veil::server
