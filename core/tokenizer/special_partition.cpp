#include "tokenizer/special_partition.h"

namespace veil {

std::vector<TextFragment> partition_special(const Vocab& vocab, std::string_view text, bool parse_special) {
    std::vector<TextFragment> frags;
    if (text.empty()) return frags;
    frags.push_back({-1, text});
    for (int32_t id : vocab.special) {  // longest first
        TokenType t = vocab.type[id];
        if (!parse_special && (t == TokenType::Control || t == TokenType::Unknown)) continue;
        const std::string& needle = vocab.text[id];
        std::vector<TextFragment> next;
        next.reserve(frags.size());
        bool changed = false;
        for (const auto& fr : frags) {
            if (fr.token >= 0) {
                next.push_back(fr);
                continue;
            }
            std::string_view rest = fr.text;
            size_t at;
            while ((at = rest.find(needle)) != std::string_view::npos) {
                if (at > 0) next.push_back({-1, rest.substr(0, at)});
                next.push_back({id, {}});
                rest.remove_prefix(at + needle.size());
                changed = true;
            }
            if (!rest.empty()) next.push_back({-1, rest});
        }
        if (changed) frags = std::move(next);
    }
    return frags;
}

}  // namespace veil
