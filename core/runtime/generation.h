// One generation on one backend session: prefill (reusing the prefix the session already holds),
// then sample → eval until EOS, a stop string, max_tokens, the context end, or cancellation.
#pragma once

#include <vector>

#include "runtime/backend_model.h"
#include "runtime/served_model.h"
#include "tokenizer/tokenizer.h"

namespace veil {

// Per-session state kept between generations: the tokens the session's KV cache holds, so a new
// prompt sharing a prefix with the previous conversation skips recomputing it.
struct SessionState {
    std::unique_ptr<BackendSession> session;
    std::vector<int32_t> history;
    std::vector<float> logits;  // n_vocab, reused
};

// Throws std::invalid_argument when the prompt is empty or does not fit the context.
GenerationResult generate(SessionState& state, const Tokenizer& tokenizer, uint32_t n_vocab,
                          const GenerationRequest& request, const TextCallback& on_text);

}  // namespace veil
