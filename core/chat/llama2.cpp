// Llama-2-chat (Meta's reference template): the system prompt is folded into the first turn inside
// <<SYS>> ... <</SYS>>, every user turn is BOS [INST] TEXT [/INST] and every assistant turn is
// " TEXT " EOS, with each turn's text stripped. The template has no generation prompt: the prompt
// already ends in [/INST], where the answer starts.
#include "chat/families.h"

namespace veil::chat::detail {

std::string render_llama2(const Messages& m, const std::string& bos, const std::string& eos) {
    // Only a leading system message is the system prompt (as in the reference template).
    size_t first = 0;
    std::string system;
    bool has_system = false;
    if (m[0].role == "system") {
        system = m[0].content;
        has_system = true;
        first = 1;
    }
    std::string out;
    for (size_t i = first; i < m.size(); ++i) {
        std::string content = m[i].content;
        if (i == first && has_system) content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
        if (m[i].role == "user")
            out += bos + "[INST] " + trim(content) + " [/INST]";
        else if (m[i].role == "assistant")
            out += " " + trim(content) + " " + eos;
    }
    return out;
}

}  // namespace veil::chat::detail
