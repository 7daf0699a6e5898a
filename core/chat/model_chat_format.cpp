#include "chat/model_chat_format.h"

#include <stdexcept>

#include <spdlog/spdlog.h>

namespace veil::chat {

ModelChatFormat ModelChatFormat::choose(const ServedModel& model, const std::string& override_name) {
    ModelChatFormat f;
    if (!override_name.empty()) {
        auto fam = family_from_name(override_name);
        if (!fam)
            throw std::invalid_argument("unknown chat template '" + override_name + "' (known: " + family_names() + ")");
        f.family_ = *fam;
        f.source_ = "override";
        return f;
    }
    auto jinja = model.metadata_string("tokenizer.chat_template");
    if (jinja) {
        if (auto fam = detect_family(*jinja)) {
            f.family_ = *fam;
            f.source_ = "gguf";
            return f;
        }
        spdlog::warn("model '{}': tokenizer.chat_template matches no known family ({}); using chatml", model.id(),
                     family_names());
    } else {
        spdlog::warn("model '{}' has no tokenizer.chat_template; chat requests use the chatml format", model.id());
    }
    return f;
}

std::string ModelChatFormat::prompt(const Messages& messages) const {
    std::string text = render(family_, messages);
    std::string bos = default_bos(family_);
    if (!bos.empty() && text.compare(0, bos.size(), bos) == 0) text.erase(0, bos.size());
    return text;
}

}  // namespace veil::chat
