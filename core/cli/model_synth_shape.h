// The shape of a synthetic llama model (`veil model synth --shape`): a named preset or
// "dim,layers,ffn,heads,kv_heads,vocab".
#pragma once

#include <cstdint>
#include <string>

namespace veil::cli {

struct SynthShape {
    std::string name;  // preset name, or "custom"
    uint64_t dim = 0, layers = 0, ffn = 0, heads = 0, kv_heads = 0, vocab = 0;
    uint64_t context = 2048;
    uint64_t head_dim() const { return dim / heads; }
    uint64_t kv_dim() const { return head_dim() * kv_heads; }
};

// Parses `spec`; throws UsageError naming the bad field (zero, not a number, heads not dividing
// dim, kv_heads not dividing heads, odd head size).
SynthShape parse_synth_shape(const std::string& spec);

}  // namespace veil::cli
