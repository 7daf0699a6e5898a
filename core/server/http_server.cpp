#include "server/http_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Timestamp.h>
#include <spdlog/spdlog.h>

#include "server/api_error.h"
#include "server/header_deadline.h"

namespace veil::server {

namespace {

class Connection final : public Poco::Net::HTTPServerConnection {
public:
    Connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
               Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ServerContext& ctx,
               std::shared_ptr<HeaderDeadline> deadline)
        : HTTPServerConnection(socket, params, std::move(factory)), server_(params->getSoftwareVersion()), ctx_(ctx),
          deadline_(std::move(deadline)) {}

    void run() override {
        // A duplicate descriptor of the socket, open until the end: Poco's session closes the
        // socket while an exception unwinds out of its run(), and the descriptor keeps the
        // connection open long enough to answer; the header deadline shuts it down through this
        // number, which no other connection can have been given meanwhile.
        const int fd = ::fcntl(socket().impl()->sockfd(), F_DUPFD_CLOEXEC, 0);
        {
            HeaderDeadline::Scope watched(*deadline_, fd, peer_of(fd));
            try {
                HTTPServerConnection::run();
            } catch (const Poco::SyntaxException& e) {
                // Only the request's construction throws this (the dispatcher catches everything a
                // handler throws), so no response to this request has been sent yet.
                reject(fd, e.message());
            }
        }
        if (fd >= 0) ::close(fd);
    }

private:
    static std::string peer_of(int fd) {
        sockaddr_storage addr{};
        socklen_t len = sizeof(addr);
        if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
        try {
            return Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&addr), len).toString();
        } catch (const Poco::Exception&) {
            return "?";  // a family Poco does not know (vsock)
        }
    }

    void reject(int fd, const std::string& why) {
        ApiError e = invalid_request("invalid_framing", "the request's headers cannot be read (" + why +
                                                            "); see RFC 9112 section 6.3");
        std::string body = error_body(e);
        Poco::Net::HTTPResponse response(Poco::Net::HTTPMessage::HTTP_1_1, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
        response.setDate(Poco::Timestamp());
        if (!server_.empty()) response.set("Server", server_);
        response.setContentType("application/json");
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.setKeepAlive(false);  // the rest of the stream cannot be delimited
        std::ostringstream head;
        response.write(head);
        const std::string reply = head.str() + body;
        const std::string peer = peer_of(fd);
        if (fd >= 0) {
            // Best effort: a client that is gone gets nothing.
            for (size_t sent = 0; sent < reply.size();) {
                ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
                if (n <= 0) break;
                sent += static_cast<size_t>(n);
            }
        }
        ctx_.metrics.count_response(400);
        spdlog::info("(unreadable request) 400 peer={}: {}", peer, why);
    }

    std::string server_;  // the Server header, as Poco's responses have it
    ServerContext& ctx_;
    std::shared_ptr<HeaderDeadline> deadline_;  // shared: a connection may outlive its server object
};

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
public:
    ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                      ServerContext& ctx)
        : params_(std::move(params)), factory_(std::move(factory)), ctx_(ctx),
          // Headers get the keep-alive wait plus one read timeout: a client sending them at any
          // sensible pace is far inside that.
          deadline_(std::make_shared<HeaderDeadline>(
              std::chrono::duration_cast<HeaderDeadline::Clock::duration>(std::chrono::duration<double>(
                  ctx.options.keep_alive_seconds + ctx.options.read_timeout_seconds)))) {}

    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
        return new Connection(socket, params_, factory_, ctx_, deadline_);
    }

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
    ServerContext& ctx_;
    std::shared_ptr<HeaderDeadline> deadline_;
};

}  // namespace

HttpServer::HttpServer(Poco::SharedPtr<DispatcherFactory> factory, Poco::ThreadPool& pool,
                       const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params, ServerContext& ctx)
    : TCPServer(new ConnectionFactory(params, factory, ctx), pool, socket, params), factory_(std::move(factory)) {}

HttpServer::~HttpServer() = default;

void HttpServer::stopAll(bool abort_current) {
    stop();
    factory_->stop_connections(abort_current);
}

}  // namespace veil::server
