// AVX-512 attention inner loops (see attention_kernels.h): the scores of a KV group's query heads
// against blocks of 16 cached keys, and the probability-weighted sum of values, 16 floats per
// instruction. head_dim is a multiple of 16 (checked by the caller).
#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "attention_kernels.h"
#include "simd_avx512.h"
#include "veil/engine/llama_kv_cache.h"

namespace veil::engine::detail {

namespace {

constexpr uint32_t kBlock = KvCache::kKeyBlock;

// Scores of H query heads against one block of 16 keys in KvCache's transposed layout: for each
// element d, the 16 keys' element d (one vector, from F16) times each head's q[d] (broadcast from
// memory) — one fused multiply-add per head and element, H independent chains. Every score is the
// same sequence, d = 0 .. hd - 1, whatever its lane or block.
template <int H>
void block_scores(const float* const* q, const uint16_t* block, uint32_t hd, float scale, __mmask16 m, float* scores,
                  size_t stride) {
    __m512 acc[H];
    #pragma GCC unroll 8
    for (int h = 0; h < H; ++h) acc[h] = _mm512_setzero_ps();
    #pragma GCC unroll 4
    for (uint32_t d = 0; d < hd; ++d) {
        const __m512 k = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + size_t{d} * kBlock)));
        #pragma GCC unroll 8
        for (int h = 0; h < H; ++h) acc[h] = _mm512_fmadd_ps(_mm512_set1_ps(q[h][d]), k, acc[h]);
    }
    const __m512 scale_v = _mm512_set1_ps(scale);
    #pragma GCC unroll 8
    for (int h = 0; h < H; ++h) _mm512_mask_storeu_ps(scores + h * stride, m, _mm512_mul_ps(acc[h], scale_v));
}

// Up to 8 heads at a time: 8 accumulators keep both FMA pipes busy and leave registers for the keys.
void block_scores_any(const float* const* q, uint32_t n_q, const uint16_t* block, uint32_t hd, float scale, __mmask16 m,
                      float* scores, size_t stride) {
    for (uint32_t i = 0; i < n_q; i += 8) {
        float* s = scores + i * stride;
        switch (n_q - i < 8 ? n_q - i : 8) {
            case 8: block_scores<8>(q + i, block, hd, scale, m, s, stride); break;
            case 7: block_scores<7>(q + i, block, hd, scale, m, s, stride); break;
            case 6: block_scores<6>(q + i, block, hd, scale, m, s, stride); break;
            case 5: block_scores<5>(q + i, block, hd, scale, m, s, stride); break;
            case 4: block_scores<4>(q + i, block, hd, scale, m, s, stride); break;
            case 3: block_scores<3>(q + i, block, hd, scale, m, s, stride); break;
            case 2: block_scores<2>(q + i, block, hd, scale, m, s, stride); break;
            default: block_scores<1>(q + i, block, hd, scale, m, s, stride); break;
        }
    }
}

// Value rows [j0, j0 + nk) of a head (F16, hd apart) as floats in `rows`, hd apart.
void values_to_float(const uint16_t* values, uint32_t j0, uint32_t nk, uint32_t hd, float* rows) {
    const uint16_t* v = values + size_t{j0} * hd;
    for (size_t i = 0; i < size_t{nk} * hd; i += 16)
        _mm512_store_ps(rows + i, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i))));
}

// out[i][c..c + 16 * NC) += sum over j < nk of p_i[j] * rows[j][c..], for the G heads
// i0 .. i0 + G - 1. Each value row is loaded into registers once for the G heads, whose G * NC
// accumulators also stay in registers: with memory operands every multiply-add also loaded its
// value vector, and the loads, not the FMAs, set the pace.
template <int NC, int G>
[[gnu::always_inline]] inline void mix_block_heads(const float* p, size_t stride, uint32_t i0, uint32_t j0, uint32_t nk,
                                                   const float* rows, float* const* out) {
    __m512 o[G][NC];
    #pragma GCC unroll 8
    for (int g = 0; g < G; ++g)
        #pragma GCC unroll 8
        for (int c = 0; c < NC; ++c) o[g][c] = _mm512_loadu_ps(out[i0 + g] + 16 * c);
    for (uint32_t j = 0; j < nk; ++j) {
        __m512 r[NC];
        #pragma GCC unroll 8
        for (int c = 0; c < NC; ++c) r[c] = _mm512_load_ps(rows + j * 16 * NC + 16 * c);
        #pragma GCC unroll 8
        for (int g = 0; g < G; ++g) {
            const __m512 pj = _mm512_set1_ps(p[(i0 + g) * stride + j0 + j]);
            #pragma GCC unroll 8
            for (int c = 0; c < NC; ++c) o[g][c] = _mm512_fmadd_ps(pj, r[c], o[g][c]);
        }
    }
    #pragma GCC unroll 8
    for (int g = 0; g < G; ++g)
        #pragma GCC unroll 8
        for (int c = 0; c < NC; ++c) _mm512_storeu_ps(out[i0 + g] + 16 * c, o[g][c]);
}

// Each block of 16 value rows is converted once into `rows` for all n_q heads; each head's
// accumulators then go through memory between blocks (exact: every output element is the same
// fused multiply-adds in order of j). NC > 0: hd = 16 * NC, accumulators in registers within a
// block, 16 / NC heads at a time (16 accumulators); NC == 0: any multiple of 16, one 16-column
// slice at a time.
template <int NC>
void mix_group(const float* p, size_t stride, uint32_t n_q, const uint16_t* values, uint32_t hd, uint32_t n_keys,
               float* const* out) {
    alignas(64) float rows[kBlock * kMaxMixHeadDim];
    for (uint32_t i = 0; i < n_q; ++i)
        for (uint32_t c = 0; c < hd; c += 16) _mm512_storeu_ps(out[i] + c, _mm512_setzero_ps());
    for (uint32_t j0 = 0; j0 < n_keys; j0 += kBlock) {
        const uint32_t nk = n_keys - j0 < kBlock ? n_keys - j0 : kBlock;
        values_to_float(values, j0, nk, hd, rows);
        if constexpr (NC > 0) {
            constexpr int kHeads = NC >= 16 ? 1 : 16 / NC;
            uint32_t i = 0;
            for (; i + kHeads <= n_q; i += kHeads) mix_block_heads<NC, kHeads>(p, stride, i, j0, nk, rows, out);
            for (; i < n_q; ++i) mix_block_heads<NC, 1>(p, stride, i, j0, nk, rows, out);
        } else {
            for (uint32_t i = 0; i < n_q; ++i) {
                const float* pi = p + i * stride + j0;
                for (uint32_t c = 0; c < hd; c += 16) {
                    __m512 o = _mm512_loadu_ps(out[i] + c);
                    for (uint32_t j = 0; j < nk; ++j) o = _mm512_fmadd_ps(_mm512_set1_ps(pi[j]), _mm512_load_ps(rows + j * hd + c), o);
                    _mm512_storeu_ps(out[i] + c, o);
                }
            }
        }
    }
}

}  // namespace

void avx512_attention_scores_group(const float* const* q, uint32_t n_q, const uint16_t* key_blocks, uint32_t hd,
                                   uint32_t n_keys, float scale, float* scores, size_t stride,
                                   const uint16_t* values) {
    for (uint32_t j0 = 0; j0 < n_keys; j0 += kBlock) {
        const uint32_t nk = n_keys - j0 < kBlock ? n_keys - j0 : kBlock;
        if (values != nullptr) {
            const char* v = reinterpret_cast<const char*>(values + size_t{j0} * hd);
            for (size_t at = 0; at < size_t{nk} * hd * sizeof(uint16_t); at += 64) _mm_prefetch(v + at, _MM_HINT_T0);
        }
        const __mmask16 m = nk == kBlock ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << nk) - 1);
        block_scores_any(q, n_q, key_blocks + size_t{j0} * hd, hd, scale, m, scores + j0, stride);
    }
}

void avx512_attention_mix_group(const float* p, size_t stride, uint32_t n_q, const uint16_t* values, uint32_t hd,
                                uint32_t n_keys, float* const* out) {
    switch (hd) {
        case 64: return mix_group<4>(p, stride, n_q, values, hd, n_keys, out);
        case 128: return mix_group<8>(p, stride, n_q, values, hd, n_keys, out);
        case 32: return mix_group<2>(p, stride, n_q, values, hd, n_keys, out);
        default: return mix_group<0>(p, stride, n_q, values, hd, n_keys, out);
    }
}

void avx512_attention_softmax(float* scores, uint32_t n_keys) {
    __m512 max_v = _mm512_set1_ps(-__builtin_inff());
    for (uint32_t j = 0; j < n_keys; j += 16) {
        const __mmask16 m = n_keys - j >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n_keys - j)) - 1);
        max_v = _mm512_mask_max_ps(max_v, m, max_v, _mm512_maskz_loadu_ps(m, scores + j));
    }
    avx512_attention_softmax(scores, n_keys, _mm512_reduce_max_ps(max_v));
}

void avx512_attention_softmax(float* scores, uint32_t n_keys, float max_s) {
    const __m512 max_v = _mm512_set1_ps(max_s);
    __m512 sum = _mm512_setzero_ps();
    for (uint32_t j = 0; j < n_keys; j += 16) {
        const __mmask16 m = n_keys - j >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n_keys - j)) - 1);
        const __m512 e = avx512::exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, scores + j), max_v));
        _mm512_mask_storeu_ps(scores + j, m, e);
        sum = _mm512_mask_add_ps(sum, m, sum, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (uint32_t j = 0; j < n_keys; j += 16) {
        const __mmask16 m = n_keys - j >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n_keys - j)) - 1);
        _mm512_mask_storeu_ps(scores + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, scores + j), inv));
    }
}

}  // namespace veil::engine::detail
