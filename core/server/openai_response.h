// Response bodies in the OpenAI shapes: chat.completion / text_completion objects, their streaming
// chunks, and the usage object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::server {

struct ResponseIdentity {
    bool chat = false;
    std::string id;       // "chatcmpl-..." | "cmpl-..."
    std::string model;
    int64_t created = 0;  // unix seconds
};

// A fresh identity (random id, current time).
ResponseIdentity new_identity(bool chat, const std::string& model);

struct Usage {
    uint32_t prompt_tokens = 0, completion_tokens = 0;
};

// The whole non-streaming response.
std::string completion_json(const ResponseIdentity& who, const std::string& text, const std::string& finish_reason,
                            const Usage& usage);

// One streaming chunk. `role` is set on a chat stream's first chunk; `finish_reason` on the last.
// With `usage_null` (stream_options.include_usage) the chunk carries "usage": null, as OpenAI's do.
std::string chunk_json(const ResponseIdentity& who, const std::optional<std::string>& role, const std::string& text,
                       const std::optional<std::string>& finish_reason, bool usage_null);

// The usage chunk sent before [DONE] when include_usage is set: empty choices, usage filled.
std::string usage_chunk_json(const ResponseIdentity& who, const Usage& usage);

}  // namespace veil::server
