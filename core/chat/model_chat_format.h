// The chat format a served model uses: an explicit override, else the family detected from the
// GGUF's tokenizer.chat_template, else ChatML (with a warning, since the model was probably not
// trained on it).
#pragma once

#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "runtime/served_model.h"

namespace veil::chat {

class ModelChatFormat {
public:
    // `override_name` empty = detect. Throws std::invalid_argument for an unknown override name.
    static ModelChatFormat choose(const ServedModel& model, const std::string& override_name);

    Family family() const { return family_; }
    // "override" | "gguf" | "fallback": where the choice came from (for the startup log line).
    const std::string& source() const { return source_; }

    // The prompt text for `messages`, without a leading BOS text: callers tokenize it with
    // add_bos=true, so the tokenizer adds exactly one BOS token (when the model uses one).
    std::string prompt(const Messages& messages) const;
    std::vector<std::string> stop_markers() const { return end_of_turn_markers(family_); }

private:
    Family family_ = Family::ChatML;
    std::string source_ = "fallback";
};

}  // namespace veil::chat
