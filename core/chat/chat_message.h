// One turn of a conversation as the OpenAI chat API carries it.
#pragma once

#include <string>
#include <vector>

namespace veil::chat {

struct Message {
    std::string role;     // "system" | "user" | "assistant" (others are passed through as given)
    std::string content;  // plain text (content parts are joined by the request parser)
};

using Messages = std::vector<Message>;

}  // namespace veil::chat
