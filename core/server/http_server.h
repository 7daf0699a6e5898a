// One listener's HTTP server: Poco's HTTPServer, except that a request whose framing cannot be
// read (an unparsable Content-Length) gets a 400 instead of a silently closed connection, and
// that request headers must arrive within a deadline (server/header_deadline.h).
//
// Why not Poco::Net::HTTPServer: Poco parses Content-Length while it constructs the request, and
// the SyntaxException that a value like "abc" or "99999999999999999999" throws escapes
// HTTPServerConnection::run, which only answers MessageExceptions. TCPServerConnection then drops
// it, so the client saw the connection close with no response and the server logged nothing.
// RFC 9112 §6.3: a request with an invalid Content-Length has unrecoverable framing; the server
// MUST answer 400 and close the connection.
#pragma once

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include "server/dispatcher.h"
#include "server/server_context.h"

namespace veil::server {

class HttpServer final : public Poco::Net::TCPServer {
public:
    // As Poco::Net::HTTPServer(factory, pool, socket, params); `ctx` counts and logs the 400s
    // this class answers itself, and must outlive the server.
    HttpServer(Poco::SharedPtr<DispatcherFactory> factory, Poco::ThreadPool& pool,
               const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params, ServerContext& ctx);
    ~HttpServer() override;

    // As Poco::Net::HTTPServer::stopAll: stops accepting, then tells every open connection the
    // server stopped (abort_current: also those in the middle of a request).
    void stopAll(bool abort_current);

private:
    Poco::SharedPtr<DispatcherFactory> factory_;
};

}  // namespace veil::server
