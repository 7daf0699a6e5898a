#include "chat/chat_template.h"

#include <stdexcept>

#include "chat/families.h"

namespace veil::chat {

namespace {

struct Entry {
    Family family;
    const char* name;
};
constexpr Entry kFamilies[] = {{Family::ChatML, "chatml"}, {Family::Llama2, "llama2"}, {Family::Llama3, "llama3"},
                               {Family::Mistral, "mistral"}, {Family::Gemma, "gemma"},   {Family::Phi3, "phi3"}};

bool has(std::string_view text, std::string_view marker) { return text.find(marker) != std::string_view::npos; }

}  // namespace

const char* family_name(Family f) {
    for (const auto& e : kFamilies)
        if (e.family == f) return e.name;
    return "unknown";
}

std::optional<Family> family_from_name(std::string_view name) {
    for (const auto& e : kFamilies)
        if (name == e.name) return e.family;
    return std::nullopt;
}

std::string family_names() {
    std::string out;
    for (const auto& e : kFamilies) out += (out.empty() ? "" : ", ") + std::string(e.name);
    return out;
}

std::optional<Family> detect_family(std::string_view t) {
    // Checked from the most specific marker down: several families share "[INST]", and Llama-2
    // alone wraps its system prompt in <<SYS>>.
    if (has(t, "<|im_start|>")) return Family::ChatML;
    if (has(t, "<|start_header_id|>")) return Family::Llama3;
    if (has(t, "<start_of_turn>")) return Family::Gemma;
    if (has(t, "<|user|>") && has(t, "<|end|>")) return Family::Phi3;
    if (has(t, "[INST]")) return has(t, "<<SYS>>") ? Family::Llama2 : Family::Mistral;
    return std::nullopt;
}

std::string default_bos(Family f) {
    switch (f) {
        case Family::Llama2:
        case Family::Mistral: return "<s>";
        case Family::Llama3: return "<|begin_of_text|>";
        case Family::Gemma: return "<bos>";
        case Family::ChatML:
        case Family::Phi3: return "";
    }
    return "";
}

std::vector<std::string> end_of_turn_markers(Family f) {
    switch (f) {
        case Family::ChatML: return {"<|im_end|>"};
        case Family::Llama3: return {"<|eot_id|>"};
        case Family::Gemma: return {"<end_of_turn>"};
        case Family::Phi3: return {"<|end|>"};
        case Family::Llama2:
        case Family::Mistral: return {"</s>"};
    }
    return {};
}

std::string render(Family family, const Messages& messages, const RenderOptions& options) {
    if (messages.empty()) throw std::invalid_argument("a chat needs at least one message");
    std::string bos = options.bos_token.empty() ? default_bos(family) : options.bos_token;
    std::string eos = options.eos_token.empty() ? "</s>" : options.eos_token;
    switch (family) {
        case Family::ChatML: return detail::render_chatml(messages, options.add_generation_prompt);
        case Family::Llama2: return detail::render_llama2(messages, bos, eos);
        case Family::Llama3: return detail::render_llama3(messages, options.add_generation_prompt, bos);
        case Family::Mistral: return detail::render_mistral(messages, bos, eos);
        case Family::Gemma: return detail::render_gemma(messages, options.add_generation_prompt, bos);
        case Family::Phi3: return detail::render_phi3(messages, options.add_generation_prompt);
    }
    throw std::invalid_argument("unknown chat template family");
}

namespace detail {

std::string trim(const std::string& s) {
    const char* ws = " \t\n\r\f\v";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

SplitSystem split_system(const Messages& m) {
    SplitSystem out;
    for (const auto& msg : m) {
        if (msg.role == "system")
            out.system += (out.system.empty() ? "" : "\n\n") + msg.content;
        else
            out.turns.push_back(msg);
    }
    return out;
}

}  // namespace detail
}  // namespace veil::chat
