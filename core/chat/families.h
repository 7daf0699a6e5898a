// Internal: one renderer per template family (each in its own file).
#pragma once

#include <string>

#include "chat/chat_template.h"

namespace veil::chat::detail {

// bos/eos are already resolved (never empty unless the family uses none).
std::string render_chatml(const Messages& m, bool add_generation_prompt);
std::string render_llama2(const Messages& m, const std::string& bos, const std::string& eos);
std::string render_llama3(const Messages& m, bool add_generation_prompt, const std::string& bos);
std::string render_mistral(const Messages& m, const std::string& bos, const std::string& eos);
std::string render_gemma(const Messages& m, bool add_generation_prompt, const std::string& bos);
std::string render_phi3(const Messages& m, bool add_generation_prompt);

// Jinja's `| trim` / Python's str.strip(): removes leading and trailing whitespace.
std::string trim(const std::string& s);

// For formats without a system role: the system messages, joined, and the rest of the turns.
struct SplitSystem {
    std::string system;  // empty when there is none
    Messages turns;
};
SplitSystem split_system(const Messages& m);

}  // namespace veil::chat::detail
