// Byte-level BPE (GPT-2 style) tokenization of one text fragment, following llama.cpp's
// llm_tokenizer_bpe: pre-tokenize into words, map each word's bytes to GPT-2's printable
// codepoints, then repeatedly apply the lowest-ranked merge (leftmost on ties) within the word.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/vocab.h"

namespace veil {

void bpe_tokenize(const Vocab& vocab, const PreTokenizerSplitter& splitter, std::string_view text, std::vector<int32_t>& out);

}  // namespace veil
