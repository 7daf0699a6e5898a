// An error answered to an HTTP client in OpenAI's shape: {"error":{"code","message","type"}}.
// Handlers throw ApiError; the dispatcher turns it into the response (so no handler writes error
// bodies by hand, and every error has the same shape).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace Poco::Net {
class HTTPServerResponse;
}

namespace veil::server {

class ApiError : public std::runtime_error {
public:
    ApiError(int status, std::string type, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), type_(std::move(type)), code_(std::move(code)) {}

    int status() const { return status_; }
    const std::string& type() const { return type_; }
    const std::string& code() const { return code_; }
    // Seconds for a Retry-After header (429/503).
    std::optional<int> retry_after;

private:
    int status_;
    std::string type_, code_;
};

// The common classes (type names as OpenAI uses them).
ApiError invalid_request(const std::string& code, const std::string& message);  // 400
ApiError unauthorized(const std::string& message);                               // 401
ApiError not_found(const std::string& message);                                  // 404
ApiError model_not_found(const std::string& message);                            // 404, as OpenAI
ApiError too_large(const std::string& message);                                  // 413
ApiError overloaded(const std::string& message, int retry_after_seconds);        // 503 + Retry-After
ApiError internal_error(const std::string& message);                             // 500

// The JSON body for `e`.
std::string error_body(const ApiError& e);
// Sends `e` as the complete response (status, headers, body). The response must not be sent yet.
void send_error(Poco::Net::HTTPServerResponse& response, const ApiError& e);

}  // namespace veil::server
