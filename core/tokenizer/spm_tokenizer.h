// SentencePiece-style tokenization of one text fragment, following llama.cpp's llm_tokenizer_spm:
// start from UTF-8 characters, repeatedly merge the adjacent pair whose concatenation is the
// vocabulary token with the highest score (leftmost on ties), then emit tokens, falling back to
// <0xNN> byte tokens for pieces the vocabulary lacks.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace veil {

// `text` must already have spaces replaced by U+2581 (and the optional leading space added).
void spm_tokenize(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out);

// Token for raw byte `b`: <0xNN>, else the one-character token, else unk (-1 when none).
int32_t spm_byte_token(const Vocab& vocab, uint8_t b);

}  // namespace veil
