// SIMD inner loops of attention (attention_avx512.cpp), used by llama_attention.cpp when the
// AVX-512 kernel table is active and head_dim is a multiple of 16. Internal header.
#pragma once

#include <cstdint>

namespace veil::engine::detail {

// scores[j] = dot(q, keys + j * hd) * scale for j < n_keys; returns the largest score.
float avx512_attention_scores(const float* q, const float* keys, uint32_t hd, uint32_t n_keys, float scale,
                              float* scores);

// scores[j] = exp(scores[j] - max_s) / sum over j < n_keys (the softmax, in place), with a
// polynomial exp; every element gets the same vector code whatever its position.
void avx512_attention_softmax(float* scores, uint32_t n_keys, float max_s);

// out[i] = sum_j p[j] * values[j * hd + i] for i < hd, summed over j in order.
void avx512_attention_mix(const float* p, const float* values, uint32_t hd, uint32_t n_keys, float* out);

}  // namespace veil::engine::detail
