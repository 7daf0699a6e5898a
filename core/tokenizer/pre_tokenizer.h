// BPE pre-tokenization: splits text into words with the regex set of the vocabulary's
// tokenizer.ggml.pre, like llama.cpp's unicode_regex_split. Each regex splits the pieces the
// previous one produced; text between matches is kept as pieces of its own.
// Unicode classes (\p{L}, \p{N}, \s) come from PCRE via Poco::RegularExpression in UTF-8 + UCP mode.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace Poco {
class RegularExpression;
}

namespace veil {

class PreTokenizerSplitter {
public:
    explicit PreTokenizerSplitter(PreTokenizer kind);
    ~PreTokenizerSplitter();
    std::vector<std::string> split(std::string_view text) const;

private:
    std::vector<std::unique_ptr<Poco::RegularExpression>> regexes_;
};

}  // namespace veil
