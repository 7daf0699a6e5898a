// A SentencePiece-style ("llama") vocabulary Veil generates itself, for synthetic models made
// without --vocab-from: <unk>, <s>, </s>, the 256 byte tokens (byte fallback, so every text
// tokenizes), then pieces over "▁a-z", shortest first, with decreasing scores. Random weights
// make the text meaningless anyway; this only has to tokenize and detokenize everything.
#pragma once

#include <cstdint>

#include "gguf/gguf_writer.h"

namespace veil::cli {

// The smallest vocabulary it can make: specials, bytes and "▁".
constexpr uint64_t kBuiltinVocabMin = 3 + 256 + 1;

// Sets the tokenizer.ggml.* keys for a vocabulary of exactly `n_vocab` tokens
// (n_vocab >= kBuiltinVocabMin, checked by the caller).
void set_builtin_vocab(GgufWriter& writer, uint64_t n_vocab);

}  // namespace veil::cli
