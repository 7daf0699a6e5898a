// Parsing and validating the body of POST /v1/chat/completions and /v1/completions. Every problem
// becomes an ApiError 400 naming the field and what was expected, before any work is done.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "chat/chat_message.h"
#include "runtime/sampling.h"

namespace veil::server {

struct CompletionRequest {
    bool chat = false;
    std::string model;                   // empty = the served model
    chat::Messages messages;             // chat
    std::string prompt;                  // completions, as text ...
    std::vector<int32_t> prompt_tokens;  // ... or as token ids
    std::optional<uint32_t> max_tokens;  // nullopt = until the context is full
    SamplingParams sampling;             // llama.cpp defaults where the request is silent
    std::vector<std::string> stop;
    bool stream = false;
    bool include_usage = false;          // stream_options.include_usage
};

// `chat` selects which of messages/prompt is required. Throws ApiError (400).
CompletionRequest parse_completion_request(const Poco::JSON::Object& body, bool chat);

}  // namespace veil::server
