// Phi-3 instruct: <|ROLE|>\nTEXT<|end|>\n per turn; the generation prompt is <|assistant|>\n.
#include "chat/families.h"

namespace veil::chat::detail {

std::string render_phi3(const Messages& m, bool add_generation_prompt) {
    std::string out;
    for (const auto& msg : m) out += "<|" + msg.role + "|>\n" + msg.content + "<|end|>\n";
    if (add_generation_prompt) out += "<|assistant|>\n";
    return out;
}

}  // namespace veil::chat::detail
