#include "server/dispatcher.h"

#include <chrono>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include "server/api_error.h"
#include "server/auth.h"
#include "server/header_deadline.h"
#include "server/http_io.h"

namespace veil::server {

namespace {

class Dispatch final : public Poco::Net::HTTPRequestHandler {
public:
    Dispatch(const Router& router, ServerContext& ctx) : router_(router), ctx_(ctx) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        struct InFlight {
            std::atomic<int>& n;
            explicit InFlight(std::atomic<int>& c) : n(c) { ++n; }
            ~InFlight() { --n; }
        } in_flight(ctx_.in_flight);
        // The headers are in; the next request's deadline starts once this one is answered.
        HeaderDeadline::headers_read();
        struct Answered {
            ~Answered() { HeaderDeadline::response_sent(); }
        } answered;
        auto start = std::chrono::steady_clock::now();
        std::string path;
        try {
            path = Poco::URI(request.getURI()).getPath();
        } catch (const std::exception&) {
            path = request.getURI();
        }
        if (ctx_.draining) response.setKeepAlive(false);
        try {
            run(request, response, path);
        } catch (const ApiError& e) {
            reply_error(response, e);
            if (e.status() == 413) discard_unread_body(request);
        } catch (const std::exception& e) {
            spdlog::error("{} {}: {}", request.getMethod(), path, e.what());
            reply_error(response, internal_error("internal error"));
        }
        int status = response.sent() || response.getStatus() != 200 ? static_cast<int>(response.getStatus()) : 200;
        ctx_.metrics.count_response(status);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        spdlog::info("{} {} {} {:.1f}ms peer={}", request.getMethod(), path, status, ms,
                     request.clientAddress().toString());
    }

private:
    void run(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, const std::string& path) {
        auto m = router_.match(request.getMethod(), path);
        if (m.route == nullptr) {
            if (!m.path_known) throw not_found("no route for " + request.getMethod() + " " + path);
            response.set("Allow", m.allowed);
            throw ApiError(405, "invalid_request_error", "method_not_allowed",
                           request.getMethod() + " is not allowed on " + path + " (allowed: " + m.allowed + ")");
        }
        if (!m.route->open && !ctx_.options.api_key.empty() && !bearer_matches(request, ctx_.options.api_key))
            throw unauthorized("a valid API key is required (Authorization: Bearer <key>)");
        m.route->handler(request, response);
    }

    static void reply_error(Poco::Net::HTTPServerResponse& response, const ApiError& e) {
        if (response.sent()) return;  // a stream already began; it ends on its own
        try {
            send_error(response, e);
        } catch (const std::exception&) {
            // The client is gone; nothing left to tell it.
        }
    }

    const Router& router_;
    ServerContext& ctx_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* DispatcherFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
    return new Dispatch(router_, ctx_);
}

}  // namespace veil::server
