// A client for an OpenAI-compatible server (a running `veil serve`, or any other): one object per
// server URL, used by `veil chat` and `veil generate --url`. Streaming requests are read as SSE
// and each piece of text is handed over as it arrives.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/URI.h>

namespace Poco::Net {
class HTTPClientSession;
}

namespace veil::client {

// The server answered with an error: its HTTP status (0 for an error reported inside a stream)
// and the message of its {"error":{...}} body (or the raw body when it is not one).
class ServerError : public std::runtime_error {
public:
    ServerError(int status, const std::string& message)
        : std::runtime_error(status ? "server answered " + std::to_string(status) + ": " + message
                                    : "server reported: " + message),
          status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

// What a streamed request produced, with client-side timings.
struct StreamResult {
    std::string text;                  // every piece joined
    uint32_t pieces = 0;               // non-empty text events received
    uint32_t prompt_tokens = 0;        // from the usage chunk (0 when the server sent none)
    uint32_t completion_tokens = 0;    // from the usage chunk, else `pieces`
    std::string finish_reason;         // from the final chunk
    double first_piece_seconds = 0;    // request sent → first piece
    double stream_seconds = 0;         // first piece → end of the stream

    // Tokens per second after the first one (the first carries the prompt's cost); 0 when unknown.
    double tokens_per_second() const;
};

class OpenAiClient {
public:
    // `url`: http://HOST:PORT[/prefix] or unix:///path/to/socket. Throws std::invalid_argument
    // naming the URL when it is neither. Network failures of the calls below are thrown as
    // std::runtime_error naming the URL.
    OpenAiClient(const std::string& url, std::string api_key);

    // GET /v1/models → the first model's id. Throws ServerError, or std::runtime_error when the
    // server lists none.
    std::string first_model() const;

    // POSTs `body` to `path` ("/v1/completions" or "/v1/chat/completions") with stream=true and
    // usage requested, calling `on_text` with each piece of text (chat deltas or completion text).
    // Throws ServerError when the server refuses the request or reports an error mid-stream.
    StreamResult stream(const std::string& path, Poco::JSON::Object body,
                        const std::function<void(std::string_view)>& on_text) const;

private:
    std::string first_model_unguarded() const;
    StreamResult stream_unguarded(const std::string& path, Poco::JSON::Object body,
                                  const std::function<void(std::string_view)>& on_text) const;
    std::unique_ptr<Poco::Net::HTTPClientSession> session() const;
    Poco::Net::HTTPRequest request(const std::string& method, const std::string& path) const;

    std::string url_;
    Poco::URI base_;
    std::string unix_path_;  // set for unix:///path URLs (a server behind the transport plugin)
    std::string api_key_;
};

}  // namespace veil::client
