// The element-wise pieces of the LLaMA block: RMSNorm, rotary position embedding, SwiGLU.
// Plain loops over small vectors; the matmuls dominate the run time.
#pragma once

#include <cstdint>
#include <vector>

namespace veil::engine {

// out[i] = x[i] / sqrt(mean(x^2) + eps) * w[i]. out may alias x.
void rms_norm(const float* x, const float* w, int64_t n, float eps, float* out);

// Rotary position embedding in llama.cpp's "normal" (non-NeoX) mode, the mode of LLM_ARCH_LLAMA:
// adjacent pairs (x[2i], x[2i+1]) rotate by theta_i = pos * base^(-2i/n_rot) for 2i < n_rot, and
// dims >= n_rot pass through. HF checkpoints use the half-split (NeoX) layout, but the GGUF
// converter permutes the Q/K rows so that this pairwise form is the correct one for GGUF files.
class Rope {
public:
    // Tables for up to max_tokens positions at a time, allocated here once.
    Rope(uint32_t head_dim, uint32_t n_rot, float freq_base, uint32_t max_tokens);
    // Computes cos/sin for positions pos0 .. pos0 + n_tokens - 1 (n_tokens <= max_tokens), once
    // per batch and shared by every layer.
    void prepare(uint32_t pos0, uint32_t n_tokens);
    // Rotates n_heads consecutive heads of head_dim floats in place, at the position of token t
    // of the prepared batch.
    void apply(float* x, uint32_t n_heads, uint32_t t) const;

private:
    uint32_t head_dim_, n_rot_, half_;
    std::vector<double> inv_freq_;  // base^(-2i/n_rot)
    std::vector<float> cos_, sin_;  // [max_tokens][n_rot/2]
};

// g[i] = silu(g[i]) * u[i], silu(x) = x / (1 + exp(-x)).
void swiglu(float* g, const float* u, int64_t n);

// y[i] += x[i].
void add_inplace(float* y, const float* x, int64_t n);

}  // namespace veil::engine
