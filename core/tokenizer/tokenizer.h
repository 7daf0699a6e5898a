// Text <-> token ids for a model, built from its GGUF tokenizer metadata. Matches llama.cpp's
// tokenization for tokenizer.ggml.model "llama" (SentencePiece-style) and "gpt2" (byte-level BPE
// with the "default", "gpt-2", "llama3"/"llama-bpe" and "qwen2" pre-tokenizers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/vocab.h"

namespace veil {

class PreTokenizerSplitter;

class Tokenizer {
public:
    // Copies what it needs: the GgufFile may be closed afterwards. Throws TokenizerError/GgufError.
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile& file);
    ~Tokenizer();

    // Tokenizes `text`. `add_bos`: add the model's BOS (and EOS) when its metadata asks for them
    // (tokenizer.ggml.add_bos_token / add_eos_token), like llama.cpp's add_special.
    // `parse_special`: recognise control tokens such as "<s>" written in the text.
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const;

    // Bytes of one token (may be part of a UTF-8 character). Control tokens give "" unless
    // `special`. Throws TokenizerError for ids outside the vocabulary.
    std::string decode(int32_t token, bool special = false) const;
    // A whole sequence, as the streaming Detokenizer would emit it (leading space prefix removed).
    std::string decode(const std::vector<int32_t>& tokens, bool special = false) const;

    int32_t bos() const noexcept { return vocab_.bos; }
    int32_t eos() const noexcept { return vocab_.eos; }
    size_t n_vocab() const noexcept { return vocab_.size(); }
    bool is_eog(int32_t token) const noexcept;
    bool adds_bos() const noexcept { return vocab_.add_bos; }
    // The vocabulary entry as stored ("▁Once", "Ġthe", "<0x0A>").
    std::string_view token_text(int32_t token) const;
    const Vocab& vocab() const noexcept { return vocab_; }
    // SentencePiece vocabularies prefix text with a space; detokenizers drop it again.
    bool strips_leading_space() const noexcept { return vocab_.kind == VocabKind::Spm && vocab_.add_space_prefix; }

private:
    explicit Tokenizer(Vocab v);
    void check(int32_t token) const;

    Vocab vocab_;
    std::unique_ptr<PreTokenizerSplitter> splitter_;  // BPE only
};

}  // namespace veil
