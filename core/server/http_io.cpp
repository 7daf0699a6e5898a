#include "server/http_io.h"

#include <algorithm>
#include <chrono>
#include <istream>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include "server/api_error.h"

namespace veil::server {

namespace {

// Closing after refusing a body we did not read: the unread bytes would otherwise be parsed as the
// next request on this keep-alive connection.
ApiError body_too_large(uint64_t max_bytes) {
    return too_large("request body exceeds the limit of " + std::to_string(max_bytes) + " bytes (server.max_body_bytes)");
}

// Hands `piece(data, n)` what each receive of the body delivers, until the body ends or `piece`
// returns false. Straight from the stream buffer, one receive at a time: istream::read would wait
// for a whole block, so a client trickling bytes would never let the caller check its deadline.
// Poco's exceptions (a receive timed out, the connection broke, bad chunked framing) propagate.
template <class Piece>
void for_each_receive(Poco::Net::HTTPServerRequest& request, Piece piece) {
    std::streambuf& in = *request.stream().rdbuf();
    char buf[16384];
    while (in.sgetc() != std::char_traits<char>::eof()) {
        const std::streamsize n = in.sgetn(buf, std::min<std::streamsize>(in.in_avail(), sizeof(buf)));
        if (!piece(buf, static_cast<size_t>(n))) return;
    }
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::string read_body(Poco::Net::HTTPServerRequest& request, uint64_t max_bytes, double read_timeout_seconds) {
    if (request.hasContentLength() && request.getContentLength64() >= 0 &&
        static_cast<uint64_t>(request.getContentLength64()) > max_bytes)
        throw body_too_large(max_bytes);
    const auto start = std::chrono::steady_clock::now();
    std::string body;
    try {
        for_each_receive(request, [&](const char* data, size_t n) {
            if (body.size() + n > max_bytes) throw body_too_large(max_bytes);
            body.append(data, n);
            const double allowed = read_timeout_seconds + static_cast<double>(body.size()) / 8192.0;
            if (seconds_since(start) > allowed)
                throw ApiError(408, "invalid_request_error", "request_timeout",
                               "the request body arrived too slowly (" + std::to_string(body.size()) + " bytes in " +
                                   std::to_string(static_cast<int>(allowed)) + " s)");
            return true;
        });
    } catch (const Poco::Exception& e) {
        throw invalid_request("invalid_body", "the request body could not be read completely: " + e.displayText());
    }
    return body;
}

void discard_unread_body(Poco::Net::HTTPServerRequest& request) {
    constexpr uint64_t kMaxBytes = uint64_t{64} << 20;
    constexpr double kMaxSeconds = 3;
    const auto start = std::chrono::steady_clock::now();
    try {
        // Each receive waits at most a second, so a client that stalls cannot hold the thread.
        if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request))
            impl->socket().setReceiveTimeout(Poco::Timespan(1, 0));
        uint64_t total = 0;
        for_each_receive(request, [&](const char*, size_t n) {
            total += n;
            return total < kMaxBytes && seconds_since(start) < kMaxSeconds;
        });
    } catch (const std::exception&) {
        // A timeout or a client that is gone: the connection closes either way.
    }
}

Poco::JSON::Object::Ptr parse_json_object(const std::string& body) {
    Poco::Dynamic::Var v;
    try {
        Poco::JSON::Parser parser;
        v = parser.parse(body);
    } catch (const Poco::Exception& e) {
        throw invalid_request("invalid_json", "the request body is not valid JSON: " + e.displayText());
    }
    if (v.type() != typeid(Poco::JSON::Object::Ptr))
        throw invalid_request("invalid_type", "the request body must be a JSON object");
    return v.extract<Poco::JSON::Object::Ptr>();
}

std::string to_json(const Poco::JSON::Object& object) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(object, out);
    return out.str();
}

void send_json(Poco::Net::HTTPServerResponse& response, const Poco::JSON::Object& object, int status) {
    send_text(response, "application/json", to_json(object), status);
}

void send_text(Poco::Net::HTTPServerResponse& response, const std::string& content_type, const std::string& body,
               int status) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType(content_type);
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

}  // namespace veil::server
