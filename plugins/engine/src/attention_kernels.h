// SIMD inner loops of attention (attention_avx512.cpp), used by llama_attention.cpp when the
// AVX-512 kernel table is active and head_dim is a multiple of 16. Internal header.
#pragma once

#include <cstdint>

namespace veil::engine::detail {

// scores[j] = dot(q, keys + j * hd) * scale for j < n_keys; returns the largest score.
float avx512_attention_scores(const float* q, const float* keys, uint32_t hd, uint32_t n_keys, float scale,
                              float* scores);

// The query heads that share one KV head, together: for i < n_q, scores[i * stride + j] =
// dot(q[i], keys + j * hd) * scale, each 16-key block of keys read once for all n_q heads (from
// L1). head_dim 16, 32, 64 and 128 take 16 keys at a time with one transpose-sum instead of a
// horizontal reduction per key; other sizes go key by key (avx512_attention_scores).
void avx512_attention_scores_group(const float* const* q, uint32_t n_q, const float* keys, uint32_t hd,
                                   uint32_t n_keys, float scale, float* scores, size_t stride);

// For i < n_q: out[i][c] = sum_j p[i * stride + j] * values[j * hd + c], summed over j in order (the
// same values as avx512_attention_mix head by head), each block of value rows read once for all.
void avx512_attention_mix_group(const float* p, size_t stride, uint32_t n_q, const float* values, uint32_t hd,
                                uint32_t n_keys, float* const* out);

// scores[j] = exp(scores[j] - max_s) / sum over j < n_keys (the softmax, in place), with a
// polynomial exp; every element gets the same vector code whatever its position.
void avx512_attention_softmax(float* scores, uint32_t n_keys, float max_s);
// The same, with the maximum found first.
void avx512_attention_softmax(float* scores, uint32_t n_keys);

// out[i] = sum_j p[j] * values[j * hd + i] for i < hd, summed over j in order.
void avx512_attention_mix(const float* p, const float* values, uint32_t hd, uint32_t n_keys, float* out);

}  // namespace veil::engine::detail
