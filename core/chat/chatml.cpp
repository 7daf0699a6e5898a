// ChatML (Qwen, OpenHermes, Yi, ...): every turn is <|im_start|>ROLE\nTEXT<|im_end|>\n.
// No BOS in the text: the tokenizer adds it if the model wants one.
#include "chat/families.h"

namespace veil::chat::detail {

std::string render_chatml(const Messages& m, bool add_generation_prompt) {
    std::string out;
    for (const auto& msg : m) out += "<|im_start|>" + msg.role + "\n" + msg.content + "<|im_end|>\n";
    if (add_generation_prompt) out += "<|im_start|>assistant\n";
    return out;
}

}  // namespace veil::chat::detail
