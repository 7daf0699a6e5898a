// Server-sent events as the OpenAI streaming API frames them: one `data: <json>\n\n` event per
// chunk, flushed at once (the response uses chunked transfer encoding), ending with
// `data: [DONE]\n\n`.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace veil::server {

// One event's bytes.
std::string sse_frame(std::string_view data);

class SseWriter {
public:
    explicit SseWriter(std::ostream& out) : out_(out) {}
    // Writes and flushes one event. Returns false once a write failed (the client went away);
    // later calls write nothing.
    bool send(std::string_view data);
    // The terminating [DONE] event.
    bool done() { return send("[DONE]"); }
    bool ok() const { return ok_; }

private:
    std::ostream& out_;
    bool ok_ = true;
};

}  // namespace veil::server
