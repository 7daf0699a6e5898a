// AVX2 (+FMA, F16C) attention inner loops (see attention_kernels.h), for CPUs without AVX-512 (AMD
// Milan, a common SEV-SNP host, among them): the same algorithm as attention_avx512.cpp with
// 8-float vectors. head_dim is a multiple of 8 (checked by the caller).
#include <immintrin.h>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "attention_kernels.h"
#include "veil/engine/llama_kv_cache.h"

namespace veil::engine::detail {

namespace {

constexpr uint32_t kBlock = KvCache::kKeyBlock;

// exp(x) for x <= 0 (softmax arguments; larger x is clamped): x = k ln2 + r with |r| <= ln2 / 2
// (ln2 split in two for an exact reduction), exp(r) by its degree-7 Taylor polynomial, times 2^k
// built in the exponent field. x is clamped to [-87, 88] so that 2^k stays a normal float; below
// that exp is under 2e-38, nothing next to a softmax's largest term (1).
inline __m256 exp256(__m256 x) {
    const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
    const __m256 ln2_hi = _mm256_set1_ps(0.693145751953125f), ln2_lo = _mm256_set1_ps(1.428606765330187e-06f);
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), _mm256_set1_ps(-87.0f));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, ln2_hi, x);
    r = _mm256_fnmadd_ps(k, ln2_lo, r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

// Lanes [0, n) set, for masked loads and stores of a block's last n < 8 floats.
inline __m256i first_lanes(uint32_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Scores of H query heads against 8 keys (half `half` of a transposed 16-key block): one FMA per
// head and element, H independent chains; every score is the sequence d = 0 .. hd - 1.
template <int H>
void half_block_scores(const float* const* q, const uint16_t* block, int half, uint32_t hd, float scale, uint32_t nk,
                       float* scores, size_t stride) {
    __m256 acc[H];
    #pragma GCC unroll 8
    for (int h = 0; h < H; ++h) acc[h] = _mm256_setzero_ps();
    #pragma GCC unroll 4
    for (uint32_t d = 0; d < hd; ++d) {
        const __m256 k =
            _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + size_t{d} * kBlock + 8 * half)));
        #pragma GCC unroll 8
        for (int h = 0; h < H; ++h) acc[h] = _mm256_fmadd_ps(_mm256_broadcast_ss(q[h] + d), k, acc[h]);
    }
    const __m256 scale_v = _mm256_set1_ps(scale);
    const __m256i m = first_lanes(nk);
    #pragma GCC unroll 8
    for (int h = 0; h < H; ++h) {
        const __m256 s = _mm256_mul_ps(acc[h], scale_v);
        if (nk >= 8) _mm256_storeu_ps(scores + h * stride, s);
        else _mm256_maskstore_ps(scores + h * stride, m, s);
    }
}

// Up to 8 heads at a time (8 accumulators, the key vector and a broadcast fit the 16 registers).
void half_block_scores_any(const float* const* q, uint32_t n_q, const uint16_t* block, int half, uint32_t hd, float scale,
                           uint32_t nk, float* scores, size_t stride) {
    for (uint32_t i = 0; i < n_q; i += 8) {
        float* s = scores + i * stride;
        switch (n_q - i < 8 ? n_q - i : 8) {
            case 8: half_block_scores<8>(q + i, block, half, hd, scale, nk, s, stride); break;
            case 7: half_block_scores<7>(q + i, block, half, hd, scale, nk, s, stride); break;
            case 6: half_block_scores<6>(q + i, block, half, hd, scale, nk, s, stride); break;
            case 5: half_block_scores<5>(q + i, block, half, hd, scale, nk, s, stride); break;
            case 4: half_block_scores<4>(q + i, block, half, hd, scale, nk, s, stride); break;
            case 3: half_block_scores<3>(q + i, block, half, hd, scale, nk, s, stride); break;
            case 2: half_block_scores<2>(q + i, block, half, hd, scale, nk, s, stride); break;
            default: half_block_scores<1>(q + i, block, half, hd, scale, nk, s, stride); break;
        }
    }
}

// Value rows [j0, j0 + nk) of a head (F16, hd apart) as floats in `rows`, hd apart.
void values_to_float(const uint16_t* values, uint32_t j0, uint32_t nk, uint32_t hd, float* rows) {
    const uint16_t* v = values + size_t{j0} * hd;
    for (size_t i = 0; i < size_t{nk} * hd; i += 8)
        _mm256_store_ps(rows + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i))));
}

// out[c] += sum_j p[j] * rows[j * hd + c] for the NC * 8 columns starting at `col` and j < nk, in
// order of j, the accumulators in registers for the block.
template <int NC>
void mix_columns(const float* p, const float* rows, uint32_t hd, uint32_t col, uint32_t nk, float* out) {
    __m256 o[NC];
    #pragma GCC unroll 8
    for (int c = 0; c < NC; ++c) o[c] = _mm256_loadu_ps(out + col + 8 * c);
    for (uint32_t j = 0; j < nk; ++j) {
        const __m256 pj = _mm256_broadcast_ss(p + j);
        const float* v = rows + size_t{j} * hd + col;
        #pragma GCC unroll 8
        for (int c = 0; c < NC; ++c) o[c] = _mm256_fmadd_ps(pj, _mm256_load_ps(v + 8 * c), o[c]);
    }
    #pragma GCC unroll 8
    for (int c = 0; c < NC; ++c) _mm256_storeu_ps(out + col + 8 * c, o[c]);
}

}  // namespace

void avx2_attention_scores_group(const float* const* q, uint32_t n_q, const uint16_t* key_blocks, uint32_t hd,
                                 uint32_t n_keys, float scale, float* scores, size_t stride, const uint16_t* values) {
    for (uint32_t j0 = 0; j0 < n_keys; j0 += kBlock) {
        const uint32_t nk = n_keys - j0 < kBlock ? n_keys - j0 : kBlock;
        if (values != nullptr) {
            const char* v = reinterpret_cast<const char*>(values + size_t{j0} * hd);
            for (size_t at = 0; at < size_t{nk} * hd * sizeof(uint16_t); at += 64) _mm_prefetch(v + at, _MM_HINT_T0);
        }
        const uint16_t* block = key_blocks + size_t{j0} * hd;
        half_block_scores_any(q, n_q, block, 0, hd, scale, nk, scores + j0, stride);
        if (nk > 8) half_block_scores_any(q, n_q, block, 1, hd, scale, nk - 8, scores + j0 + 8, stride);
    }
}

void avx2_attention_softmax(float* scores, uint32_t n_keys) {
    __m256 max_v = _mm256_set1_ps(-__builtin_inff());
    uint32_t j = 0;
    for (; j + 8 <= n_keys; j += 8) max_v = _mm256_max_ps(max_v, _mm256_loadu_ps(scores + j));
    float max_s = -__builtin_inff();
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, max_v);
    for (float m : lanes) max_s = m > max_s ? m : max_s;
    for (uint32_t t = j; t < n_keys; ++t) max_s = scores[t] > max_s ? scores[t] : max_s;

    // Every element goes through the same vector code: the tail is padded in a vector, not
    // computed with scalar exp.
    const __m256 mv = _mm256_set1_ps(max_s);
    __m256 sum = _mm256_setzero_ps();
    for (j = 0; j < n_keys; j += 8) {
        const uint32_t n = n_keys - j < 8 ? n_keys - j : 8;
        const __m256i m = first_lanes(n);
        const __m256 e = exp256(_mm256_sub_ps(_mm256_maskload_ps(scores + j, m), mv));
        _mm256_maskstore_ps(scores + j, m, e);
        sum = _mm256_add_ps(sum, _mm256_and_ps(e, _mm256_castsi256_ps(m)));
    }
    alignas(32) float parts[8];
    _mm256_store_ps(parts, sum);
    const float total = ((parts[0] + parts[1]) + (parts[2] + parts[3])) + ((parts[4] + parts[5]) + (parts[6] + parts[7]));
    const __m256 inv = _mm256_set1_ps(1.0f / total);
    for (j = 0; j < n_keys; j += 8) {
        const __m256i m = first_lanes(n_keys - j < 8 ? n_keys - j : 8);
        _mm256_maskstore_ps(scores + j, m, _mm256_mul_ps(_mm256_maskload_ps(scores + j, m), inv));
    }
}

void avx2_attention_mix_group(const float* p, size_t stride, uint32_t n_q, const uint16_t* values, uint32_t hd,
                              uint32_t n_keys, float* const* out) {
    alignas(32) float rows[kBlock * kMaxMixHeadDim];
    for (uint32_t i = 0; i < n_q; ++i)
        for (uint32_t c = 0; c < hd; c += 8) _mm256_storeu_ps(out[i] + c, _mm256_setzero_ps());
    for (uint32_t j0 = 0; j0 < n_keys; j0 += kBlock) {
        const uint32_t nk = n_keys - j0 < kBlock ? n_keys - j0 : kBlock;
        values_to_float(values, j0, nk, hd, rows);
        for (uint32_t i = 0; i < n_q; ++i) {
            const float* pi = p + i * stride + j0;
            uint32_t col = 0;
            for (; col + 64 <= hd; col += 64) mix_columns<8>(pi, rows, hd, col, nk, out[i]);
            for (; col < hd; col += 8) mix_columns<1>(pi, rows, hd, col, nk, out[i]);
        }
    }
}

}  // namespace veil::engine::detail
