// The prompt `veil bench` feeds: token ids drawn deterministically from the vocabulary.
#pragma once

#include <cstdint>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace veil::bench {

// `n` tokens: the model's BOS first when it adds one, then ids drawn with a fixed seed from the
// normal tokens (no control, unknown, unused or byte tokens), so every run of every build feeds
// the same ids. Throws std::invalid_argument for n == 0 or a vocabulary without normal tokens.
std::vector<int32_t> benchmark_prompt(const Tokenizer& tokenizer, uint32_t n);

}  // namespace veil::bench
