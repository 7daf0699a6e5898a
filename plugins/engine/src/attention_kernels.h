// SIMD inner loops of attention, used by llama_attention.cpp: attention_avx512.cpp when the AVX-512
// kernel table is active and head_dim is a multiple of 16, attention_avx2.cpp when the AVX2 table
// is and head_dim is a multiple of 8; head_dim at most kMaxMixHeadDim for both. Both take the same
// arguments. Keys and values are KvCache's F16. Internal header.
#pragma once

#include <cstddef>
#include <cstdint>

namespace veil::engine::detail {

// Largest head size the SIMD paths take (the weighted sum converts a block of 16 value rows onto
// the stack).
constexpr uint32_t kMaxMixHeadDim = 256;

// The query heads that share one KV head, together: for i < n_q and j < n_keys,
// scores[i * stride + j] = (sum over d of q[i][d] * key_j[d], fused multiply-adds in order of d)
// * scale, with the keys in KvCache's transposed blocks (key_blocks: block 0 of one layer and KV
// head, the later blocks following). Each block is read once for all n_q heads.
// `values` (may be null): the same positions' values, prefetched block by block while the scores
// compute — cold values otherwise leave the weighted sum waiting on memory (measured: 2.8 us per
// KV head at a 128-token context).
void avx512_attention_scores_group(const float* const* q, uint32_t n_q, const uint16_t* key_blocks, uint32_t hd,
                                   uint32_t n_keys, float scale, float* scores, size_t stride,
                                   const uint16_t* values);

// For i < n_q: out[i][c] = sum_j p[i * stride + j] * values[j * hd + c], fused multiply-adds in
// order of j; each block of 16 value rows is converted from F16 once for all heads.
void avx512_attention_mix_group(const float* p, size_t stride, uint32_t n_q, const uint16_t* values, uint32_t hd,
                                uint32_t n_keys, float* const* out);

// scores[j] = exp(scores[j] - max_s) / sum over j < n_keys (the softmax, in place), with a
// polynomial exp; every element gets the same vector code whatever its position.
void avx512_attention_softmax(float* scores, uint32_t n_keys, float max_s);
// The same, with the maximum found first.
void avx512_attention_softmax(float* scores, uint32_t n_keys);

// The AVX2 versions: same contracts (8-float vectors; a polynomial exp clamped to [-87, 88]).
void avx2_attention_scores_group(const float* const* q, uint32_t n_q, const uint16_t* key_blocks, uint32_t hd,
                                 uint32_t n_keys, float scale, float* scores, size_t stride, const uint16_t* values);
void avx2_attention_softmax(float* scores, uint32_t n_keys);
void avx2_attention_mix_group(const float* p, size_t stride, uint32_t n_q, const uint16_t* values, uint32_t hd,
                              uint32_t n_keys, float* const* out);

}  // namespace veil::engine::detail
