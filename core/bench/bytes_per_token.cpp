#include "bench/bytes_per_token.h"

#include <cstring>

namespace veil::bench {

uint64_t weight_bytes_per_token(const veil_model_source& source, uint64_t weight_bytes) {
    const veil_tensor_desc* embd = nullptr;
    bool tied = true;
    for (size_t i = 0; i < source.n_tensors; ++i) {
        const veil_tensor_desc& t = source.tensors[i];
        if (std::strcmp(t.name, "token_embd.weight") == 0) embd = &t;
        if (std::strcmp(t.name, "output.weight") == 0) tied = false;
    }
    if (embd == nullptr || tied || embd->n_bytes > weight_bytes) return weight_bytes;
    const uint64_t rows = embd->n_dims >= 2 && embd->dims[1] > 0 ? embd->dims[1] : 1;
    return weight_bytes - embd->n_bytes + embd->n_bytes / rows;
}

}  // namespace veil::bench
