// Llama-3 instruct: BOS once, then <|start_header_id|>ROLE<|end_header_id|>\n\nTEXT<|eot_id|> per
// turn (text trimmed); the generation prompt opens an assistant header.
#include "chat/families.h"

namespace veil::chat::detail {

std::string render_llama3(const Messages& m, bool add_generation_prompt, const std::string& bos) {
    std::string out = bos;
    for (const auto& msg : m)
        out += "<|start_header_id|>" + msg.role + "<|end_header_id|>\n\n" + trim(msg.content) + "<|eot_id|>";
    if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
    return out;
}

}  // namespace veil::chat::detail
