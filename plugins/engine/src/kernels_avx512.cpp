// AVX-512 (F, BW, VL, DQ, VNNI) kernels for the types that dominate decode time: F32, F16, Q4_0,
// Q8_0, Q4_K, Q5_K, Q6_K. Other types use the AVX2 kernels (an AVX-512 CPU passing our CPUID check
// also has AVX2/FMA/F16C).
//
// *_0 types process two 32-element blocks per 512-bit register and use VNNI dpbusd (u8 x s8 sums
// of 4 straight into int32). K-quants use maddubs for the u8 x s8 pairs and VNNI dpwssd to
// multiply the int16 pair sums by the group scales and accumulate in one instruction.
//
// Internal linkage only (anonymous namespace): see kernels_avx2.cpp.
#include <immintrin.h>

// GCC 12's AVX-512 headers build many intrinsics (casts, extracts, shuffles) on self-initialised
// "undefined" vectors (`__m512 __Y = __Y;`), which -Wmaybe-uninitialized reports at every inlined
// call site. The values are architecturally don't-care, so the warning is silenced for this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "veil/engine/ggml_blocks.h"
#include "kernels_internal.h"
#include "simd_avx512.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;
using namespace avx512;

// ---- float types ------------------------------------------------------------------------------

float dot_f32(int64_t n, const float* w, const float* x) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i), _mm512_loadu_ps(x + i), a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i + 16), _mm512_loadu_ps(x + i + 16), a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i + 32), _mm512_loadu_ps(x + i + 32), a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i + 48), _mm512_loadu_ps(x + i + 48), a3);
    }
    for (; i + 16 <= n; i += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i), _mm512_loadu_ps(x + i), a0);
    if (i < n) {  // masked tail: no scalar loop, no out-of-bounds read
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + i), _mm512_maskz_loadu_ps(m, x + i), a1);
    }
    return hsum512(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

inline __m512 load_f16x16(const uint16_t* p) { return _mm512_cvtph_ps(loadu256(p)); }

float dot_f16(int64_t n, const uint16_t* w, const uint16_t* x) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        a0 = _mm512_fmadd_ps(load_f16x16(w + i), load_f16x16(x + i), a0);
        a1 = _mm512_fmadd_ps(load_f16x16(w + i + 16), load_f16x16(x + i + 16), a1);
        a2 = _mm512_fmadd_ps(load_f16x16(w + i + 32), load_f16x16(x + i + 32), a2);
        a3 = _mm512_fmadd_ps(load_f16x16(w + i + 48), load_f16x16(x + i + 48), a3);
    }
    for (; i + 16 <= n; i += 16) a0 = _mm512_fmadd_ps(load_f16x16(w + i), load_f16x16(x + i), a0);
    if (i < n) {
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
        const __m512 wv = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, w + i));
        const __m512 xv = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, x + i));
        a1 = _mm512_fmadd_ps(wv, xv, a1);
    }
    return hsum512(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

// ---- 32-element block types: two blocks per register ------------------------------------------

// Signed x signed bytes (a != -128) summed in fours: |a| * (sign(a) * b) through dpbusd.
inline __m512i dot_i8_512(__m512i a, __m512i b) {
    const __mmask64 neg = _mm512_movepi8_mask(a);
    const __m512i sb = _mm512_mask_sub_epi8(b, neg, _mm512_setzero_si512(), b);
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_abs_epi8(a), sb);
}

float dot_q8_0(int64_t nb, const BlockQ8_0* w, const BlockQ8_0* x) {
    __m512 acc = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m512i a = join(loadu256(w[i].qs), loadu256(w[i + 1].qs));
        const __m512i b = join(loadu256(x[i].qs), loadu256(x[i + 1].qs));
        const __m512 d = join_scale(h2f(w[i].d) * h2f(x[i].d), h2f(w[i + 1].d) * h2f(x[i + 1].d));
        acc = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(dot_i8_512(a, b)), acc);
    }
    float sum = hsum512(acc);
    if (i < nb) {
        const __m256i s = dot_i8_256(loadu256(w[i].qs), loadu256(x[i].qs));
        sum += static_cast<float>(hsum_i32_256(s)) * (h2f(w[i].d) * h2f(x[i].d));
    }
    return sum;
}

// Q4_0: sum (q - 8) * y = dpbusd(q, y) - dpbusd(8, y), with q as unsigned nibbles.
float dot_q4_0(int64_t nb, const BlockQ4_0* w, const BlockQ8_0* x) {
    __m512 acc = _mm512_setzero_ps();
    const __m512i eight = _mm512_set1_epi8(8);
    int64_t i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m512i q = join(nibbles32(w[i].qs), nibbles32(w[i + 1].qs));
        const __m512i y = join(loadu256(x[i].qs), loadu256(x[i + 1].qs));
        const __m512i s = _mm512_sub_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), q, y),
                                           _mm512_dpbusd_epi32(_mm512_setzero_si512(), eight, y));
        const __m512 d = join_scale(h2f(w[i].d) * h2f(x[i].d), h2f(w[i + 1].d) * h2f(x[i + 1].d));
        acc = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(s), acc);
    }
    float sum = hsum512(acc);
    if (i < nb) {
        const __m256i q = _mm256_sub_epi8(nibbles32(w[i].qs), _mm256_set1_epi8(8));
        sum += static_cast<float>(hsum_i32_256(dot_i8_256(q, loadu256(x[i].qs)))) * (h2f(w[i].d) * h2f(x[i].d));
    }
    return sum;
}

// ---- K-quants ----------------------------------------------------------------------------------

template <bool kFifthBit, typename Block>
float dot_q45_k(int64_t nb, const Block* w, const BlockQ8_K* x) {
    __m512 acc = _mm512_setzero_ps();
    __m256 acc_min = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    // int16 lanes 0-15 take scale 2j, lanes 16-31 scale 2j+1 (after adding 2j).
    const __m512i half_idx = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(1), 1);
    for (int64_t i = 0; i < nb; ++i) {
        uint32_t u[4];
        unpack_k4_scales(w[i].scales, u);
        const __m128i sm8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u));
        // Each min covers two bsums (32 elements = 2 groups of 16): duplicate the min bytes.
        const __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(sm8, sm8));
        const __m256i mins = _mm256_madd_epi16(m16, loadu256(x[i].bsums));
        acc_min = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].dmin)), _mm256_cvtepi32_ps(mins), acc_min);
        const __m512i sc16 = _mm512_castsi256_si512(_mm256_cvtepu8_epi16(sm8));  // lanes 0-7 scales
        __m256i hb = _mm256_setzero_si256();
        if constexpr (kFifthBit) hb = loadu256(w[i].qh);
        __m512i sumi = _mm512_setzero_si512();
        for (int j = 0; j < 4; ++j) {
            const __m256i q = loadu256(w[i].qs + 32 * j);
            __m256i lo = _mm256_and_si256(q, low4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            if constexpr (kFifthBit) {
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(hb, one), 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 1), one), 4));
                hb = _mm256_srli_epi16(hb, 2);
            }
            // Elements 64j..64j+63: group 2j in the low half, 2j+1 in the high half.
            const __m512i p = _mm512_maddubs_epi16(join(lo, hi), loadu512(x[i].qs + 64 * j));
            const __m512i s = _mm512_permutexvar_epi16(_mm512_add_epi16(half_idx, _mm512_set1_epi16(static_cast<short>(2 * j))), sc16);
            sumi = _mm512_dpwssd_epi32(sumi, p, s);
        }
        acc = _mm512_fmadd_ps(_mm512_set1_ps(x[i].d * h2f(w[i].d)), _mm512_cvtepi32_ps(sumi), acc);
    }
    const __m256 a = _mm256_add_ps(_mm512_castps512_ps256(acc), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc), 1)));
    return hsum256(_mm256_sub_ps(a, acc_min));
}

float dot_q6_k(int64_t nb, const BlockQ6_K* w, const BlockQ8_K* x) {
    __m512 acc = _mm512_setzero_ps();
    float offset_total = 0.0f;
    const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < nb; ++i) {
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[i].scales)));
        // q = u - 32 with u in [0, 63]; the -32 is applied through bsums.
        const int offset = hsum_i32_256(_mm256_madd_epi16(sc16, loadu256(x[i].bsums)));
        const __m512i sc512 = _mm512_castsi256_si512(sc16);
        __m512i sumi = _mm512_setzero_si512();
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = loadu256(w[i].ql + 64 * h);
            const __m256i ql1 = loadu256(w[i].ql + 64 * h + 32);
            const __m256i qh = loadu256(w[i].qh + 32 * h);
            const __m256i u0 = _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4));
            const __m256i u1 = _mm256_or_si256(_mm256_and_si256(ql1, low4),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));
            const __m256i u2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));
            const __m256i u3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));
            const __m512i p0 = _mm512_maddubs_epi16(join(u0, u1), loadu512(x[i].qs + 128 * h));
            const __m512i p1 = _mm512_maddubs_epi16(join(u2, u3), loadu512(x[i].qs + 128 * h + 64));
            sumi = _mm512_dpwssd_epi32(sumi, p0, spread_scales_16(sc512, 8 * h));
            sumi = _mm512_dpwssd_epi32(sumi, p1, spread_scales_16(sc512, 8 * h + 4));
        }
        const float d = x[i].d * h2f(w[i].d);
        acc = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(sumi), acc);
        offset_total += d * static_cast<float>(32 * offset);
    }
    return hsum512(acc) - offset_total;
}

template <typename T>
const T* as(const void* p) {
    return static_cast<const T*>(p);
}

float vec_dot(GgmlType type, int64_t n, const void* w, const void* x) {
    const int64_t nb32 = n / 32, nbk = n / 256;
    switch (type) {
        case GgmlType::F32: return dot_f32(n, as<float>(w), as<float>(x));
        case GgmlType::F16: return dot_f16(n, as<uint16_t>(w), as<uint16_t>(x));
        case GgmlType::Q4_0: return dot_q4_0(nb32, as<BlockQ4_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q8_0: return dot_q8_0(nb32, as<BlockQ8_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q4_K: return dot_q45_k<false>(nbk, as<BlockQ4_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q5_K: return dot_q45_k<true>(nbk, as<BlockQ5_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q6_K: return dot_q6_k(nbk, as<BlockQ6_K>(w), as<BlockQ8_K>(x));
        default: return avx2_vec_dot(type, n, w, x);
    }
}

}  // namespace

constinit const KernelTable kAvx512Kernels{Isa::Avx512, avx2_dequantize_row, avx512_quantize_row, vec_dot};

}  // namespace veil::engine::detail
