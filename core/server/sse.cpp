#include "server/sse.h"

#include <exception>

namespace veil::server {

std::string sse_frame(std::string_view data) {
    std::string f;
    f.reserve(data.size() + 8);
    f.append("data: ").append(data).append("\n\n");
    return f;
}

bool SseWriter::send(std::string_view data) {
    if (!ok_) return false;
    try {
        out_ << sse_frame(data);
        out_.flush();  // one HTTP chunk per event, so clients see tokens as they are generated
        ok_ = out_.good();
    } catch (const std::exception&) {
        ok_ = false;  // Poco streams may throw instead of setting badbit when the peer is gone
    }
    return ok_;
}

}  // namespace veil::server
