#include "tokenizer/detokenizer.h"

#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace veil {

std::string Detokenizer::push(int32_t token) {
    std::string piece = tok_.decode(token, special_);
    if (first_ && !piece.empty()) {
        // llama.cpp removes one leading space of the first piece when the vocabulary adds the
        // space prefix, so that decode(encode(text)) == text. Pieces before it that render as
        // nothing (BOS) do not count as the first piece.
        if (tok_.strips_leading_space() && piece[0] == ' ') piece.erase(0, 1);
        first_ = false;
    }
    pending_ += piece;
    size_t hold = utf8::incomplete_tail(pending_);
    std::string out = pending_.substr(0, pending_.size() - hold);
    pending_.erase(0, pending_.size() - hold);
    return out;
}

std::string Detokenizer::flush() {
    std::string out = std::move(pending_);
    pending_.clear();
    first_ = true;
    return out;
}

}  // namespace veil
