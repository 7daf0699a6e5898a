// Bytes of weights a backend reads from memory to decode one token (one pass over the model).
#pragma once

#include <cstdint>

#include "veil/backend.h"

namespace veil::bench {

// `weight_bytes` (model_info: every tensor the backend holds) minus the token-embedding table, of
// which decoding looks up a single row — unless the model has no output.weight and ties the output
// projection to token_embd, which is then read in full every token. Norm vectors and every other
// matrix count in full. KV-cache reads (which grow with the position) are not included.
uint64_t weight_bytes_per_token(const veil_model_source& source, uint64_t weight_bytes);

}  // namespace veil::bench
