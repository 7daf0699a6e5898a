// Chat templates: which prompt format a model was trained on, and rendering a conversation into it.
//
// Veil does not run Jinja. Like llama.cpp, it recognises the template stored in the GGUF
// (`tokenizer.chat_template`) by markers that only one family uses, then renders that family's
// format in C++ — byte for byte what the reference template produces.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_message.h"

namespace veil::chat {

enum class Family { ChatML, Llama2, Llama3, Mistral, Gemma, Phi3 };

// "chatml" | "llama2" | "llama3" | "mistral" | "gemma" | "phi3"
const char* family_name(Family f);
// Inverse of family_name; nullopt for an unknown name.
std::optional<Family> family_from_name(std::string_view name);
// All families, for help texts and error messages ("chatml, llama2, ...").
std::string family_names();

// Detects the family from a Jinja template text by its distinctive markers; nullopt if none match.
std::optional<Family> detect_family(std::string_view jinja);

struct RenderOptions {
    bool add_generation_prompt = true;  // end with the opening of the assistant's turn
    // Token texts the templates reference; empty = the family's usual text.
    std::string bos_token;
    std::string eos_token;
};

// The prompt text for `messages` in `family`'s format. Throws std::invalid_argument for a
// conversation the format cannot express (e.g. no messages).
std::string render(Family family, const Messages& messages, const RenderOptions& options = {});

// Text that marks the end of the assistant's turn in this format (used as extra stop strings, so a
// model that writes the marker as text instead of the EOS token still stops).
std::vector<std::string> end_of_turn_markers(Family family);

// The family's usual BOS token text ("<s>", "<|begin_of_text|>", "<bos>"; "" for ChatML).
std::string default_bos(Family family);

}  // namespace veil::chat
