#include "server/api_error.h"

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace veil::server {

ApiError invalid_request(const std::string& code, const std::string& message) {
    return ApiError(400, "invalid_request_error", code, message);
}
ApiError unauthorized(const std::string& message) {
    return ApiError(401, "authentication_error", "invalid_api_key", message);
}
ApiError not_found(const std::string& message) { return ApiError(404, "not_found_error", "not_found", message); }
ApiError model_not_found(const std::string& message) {
    return ApiError(404, "invalid_request_error", "model_not_found", message);
}
ApiError too_large(const std::string& message) {
    return ApiError(413, "invalid_request_error", "request_too_large", message);
}
ApiError overloaded(const std::string& message, int retry_after_seconds) {
    ApiError e(503, "server_error", "overloaded", message);
    e.retry_after = retry_after_seconds;
    return e;
}
ApiError internal_error(const std::string& message) { return ApiError(500, "server_error", "internal_error", message); }

std::string error_body(const ApiError& e) {
    Poco::JSON::Object inner(Poco::JSON_PRESERVE_KEY_ORDER);
    inner.set("code", e.code());
    inner.set("message", std::string(e.what()));
    inner.set("type", e.type());
    Poco::JSON::Object outer;
    outer.set("error", inner);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(outer, out);
    return out.str();
}

void send_error(Poco::Net::HTTPServerResponse& response, const ApiError& e) {
    std::string body = error_body(e);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(e.status()));
    response.setContentType("application/json");
    if (e.retry_after) response.set("Retry-After", std::to_string(*e.retry_after));
    if (e.status() == 401) response.set("WWW-Authenticate", "Bearer");
    // A refused or half-read body may still be on the wire: it must not be parsed as the next
    // request, so the connection ends with this response.
    if (e.status() == 413 || e.status() == 408 || e.code() == "invalid_body") response.setKeepAlive(false);
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

}  // namespace veil::server
