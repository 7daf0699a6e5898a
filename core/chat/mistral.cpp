// Mistral instruct (v0.1/v0.2 reference template): BOS, then [INST] TEXT [/INST] for a user turn and
// TEXT EOS for an assistant turn, no spaces added around answers. The reference template rejects a
// system role; like llama.cpp, Veil prepends the system text to the first user turn instead
// (separated by a blank line) so OpenAI clients that send one still work.
#include "chat/families.h"

namespace veil::chat::detail {

std::string render_mistral(const Messages& m, const std::string& bos, const std::string& eos) {
    SplitSystem s = split_system(m);
    std::string out = bos;
    bool system_pending = !s.system.empty();
    for (const auto& msg : s.turns) {
        if (msg.role == "user") {
            std::string content = system_pending ? s.system + "\n\n" + msg.content : msg.content;
            system_pending = false;
            out += "[INST] " + content + " [/INST]";
        } else if (msg.role == "assistant") {
            out += msg.content + eos;
        }
    }
    if (system_pending) out += "[INST] " + s.system + " [/INST]";  // a system prompt alone
    return out;
}

}  // namespace veil::chat::detail
