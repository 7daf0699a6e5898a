// Gemma instruct: BOS, then <start_of_turn>ROLE\nTEXT<end_of_turn>\n with the assistant called
// "model" and text trimmed; the generation prompt opens a model turn. Gemma has no system role:
// the system text is prepended to the first user turn with a blank line (as llama.cpp does).
#include "chat/families.h"

namespace veil::chat::detail {

std::string render_gemma(const Messages& m, bool add_generation_prompt, const std::string& bos) {
    SplitSystem s = split_system(m);
    std::string out = bos;
    bool system_pending = !s.system.empty();
    for (const auto& msg : s.turns) {
        std::string role = msg.role == "assistant" ? "model" : msg.role;
        std::string content = msg.content;
        if (system_pending && msg.role == "user") {
            content = s.system + "\n\n" + content;
            system_pending = false;
        }
        out += "<start_of_turn>" + role + "\n" + trim(content) + "<end_of_turn>\n";
    }
    if (system_pending) out += "<start_of_turn>user\n" + trim(s.system) + "<end_of_turn>\n";
    if (add_generation_prompt) out += "<start_of_turn>model\n";
    return out;
}

}  // namespace veil::chat::detail
