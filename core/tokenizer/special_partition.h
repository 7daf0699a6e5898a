// Splits text at occurrences of special tokens before the tokenizer proper sees it, as llama.cpp's
// tokenizer_st_partition does: user-defined tokens always, control/unknown tokens only when the
// caller asks to parse special tokens. Longer tokens win over shorter ones.
#pragma once

#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace veil {

struct TextFragment {
    int32_t token = -1;     // >= 0: this fragment is that special token
    std::string_view text;  // raw text when token < 0
};

std::vector<TextFragment> partition_special(const Vocab& vocab, std::string_view text, bool parse_special);

}  // namespace veil
