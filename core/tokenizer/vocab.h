// A model's vocabulary as the tokenizers use it, read from GGUF tokenizer.ggml.* metadata.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_file.h"

namespace veil {

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

enum class VocabKind { Spm, Bpe };

// Which pre-tokenizer regex set a BPE vocabulary uses (tokenizer.ggml.pre).
enum class PreTokenizer { Default, Gpt2, Llama3, Qwen2 };

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using TokenIndex = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

struct Vocab {
    VocabKind kind = VocabKind::Spm;
    PreTokenizer pre = PreTokenizer::Default;
    std::vector<std::string> text;
    std::vector<float> score;
    std::vector<TokenType> type;
    TokenIndex index;  // text -> id
    // BPE merges: "left\0right" -> rank (position in tokenizer.ggml.merges).
    TokenIndex merge_rank;
    int32_t bos = -1, eos = -1, unk = -1, pad = -1, eot = -1, eom = -1;
    bool add_bos = false, add_eos = false, add_space_prefix = false;
    bool ignore_merges = false;  // llama3: a word that is a whole token skips the merges
    std::vector<int32_t> eog;     // end-of-generation tokens
    // Tokens matched verbatim in text before tokenizing (control, user-defined, unknown), longest first.
    std::vector<int32_t> special;

    // Throws TokenizerError when the metadata is missing or inconsistent.
    static Vocab from_gguf(const GgufFile& f);

    size_t size() const noexcept { return text.size(); }
    int32_t find(std::string_view s) const noexcept {
        auto it = index.find(s);
        return it == index.end() ? -1 : it->second;
    }
    int find_merge(std::string_view left, std::string_view right) const;
};

}  // namespace veil
