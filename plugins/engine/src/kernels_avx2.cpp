// AVX2 + FMA + F16C kernels. Compiled with -mavx2 -mfma -mf16c; only reached through the table
// after kernels_dispatch.cpp has checked CPUID.
//
// Integer core: weights as unsigned bytes times activations as signed bytes with
// _mm256_maddubs_epi16 (pairs to int16; every type keeps |pair sum| < 2^15), then
// _mm256_madd_epi16 with the (sub-)block scale to int32. Types whose quants are signed are either
// made unsigned by an offset that is removed with the activation sums (Q3_K, Q6_K: the Q8_K
// bsums), or use the sign trick (|w| times sign(w)*x) for Q4_0/Q5_0/Q8_0. Integer sums are exact,
// so results differ from the scalar reference only by float summation order.
//
// Everything is in an anonymous namespace (internal linkage) so no AVX2-compiled copy of a
// helper can be picked by the linker for baseline code.
#include <immintrin.h>

#include <cstring>

#include "veil/engine/ggml_blocks.h"
#include "kernels_internal.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline int hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

inline __m256i loadu(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m128i loadu128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }

// Unsigned bytes times signed bytes, summed in groups of 4 to int32.
inline __m256i dot_u8_i8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// Signed times signed (a != -128): |a| * (sign(a) * b).
inline __m256i dot_i8(__m256i a, __m256i b) { return dot_u8_i8(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a)); }

// The 16 bytes of a *_0/*_1 block as 32 nibbles in element order (low nibbles, then high).
inline __m256i nibbles32(const uint8_t* qs) {
    const __m128i q = loadu128(qs);
    const __m128i m = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m), _mm_and_si128(q, m));
}

// 32 bits (little-endian) -> 32 bytes, 0xFF where the bit is set.
inline __m256i bits_to_bytes(const uint8_t* qh) {
    uint32_t bits;
    std::memcpy(&bits, qh, 4);
    const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3,
                                          3, 3, 3, 3, 3, 3);
    const __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), shuf);
    const __m256i sel = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, sel), sel);
}

// From 16 int8 group scales: int16 lanes 0-7 = s8[g], lanes 8-15 = s8[g + 1], i.e. the scales of
// the two 16-element groups a 32-byte maddubs result covers.
inline __m256i scale_pair(__m128i s8, int g) {
    const __m128i idx = _mm_add_epi8(_mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
                                     _mm_set1_epi8(static_cast<char>(g)));
    return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(s8, idx));
}

// ---- float types ------------------------------------------------------------------------------

float dot_f32(int64_t n, const float* w, const float* x) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
    float sum = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; ++i) sum += w[i] * x[i];
    return sum;
}

inline __m256 load_f16x8(const uint16_t* p) { return _mm256_cvtph_ps(loadu128(p)); }

float dot_f16(int64_t n, const uint16_t* w, const uint16_t* x) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(load_f16x8(w + i), load_f16x8(x + i), a0);
        a1 = _mm256_fmadd_ps(load_f16x8(w + i + 8), load_f16x8(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(load_f16x8(w + i + 16), load_f16x8(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(load_f16x8(w + i + 24), load_f16x8(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(load_f16x8(w + i), load_f16x8(x + i), a0);
    float sum = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; ++i) sum += h2f(w[i]) * h2f(x[i]);
    return sum;
}

inline __m256 load_bf16x8(const uint16_t* p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(loadu128(p)), 16));
}

float dot_bf16(int64_t n, const uint16_t* w, const uint16_t* x) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(load_bf16x8(w + i), load_bf16x8(x + i), a0);
        a1 = _mm256_fmadd_ps(load_bf16x8(w + i + 8), load_bf16x8(x + i + 8), a1);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(load_bf16x8(w + i), load_bf16x8(x + i), a0);
    float sum = hsum(_mm256_add_ps(a0, a1));
    for (; i < n; ++i) sum += bf16_to_fp32(w[i]) * bf16_to_fp32(x[i]);
    return sum;
}

// ---- 32-element block types --------------------------------------------------------------------

float dot_q4_0(int64_t nb, const BlockQ4_0* w, const BlockQ8_0* x) {
    __m256 acc = _mm256_setzero_ps();
    const __m256i eight = _mm256_set1_epi8(8);
    for (int64_t i = 0; i < nb; ++i) {
        const __m256i q = _mm256_sub_epi8(nibbles32(w[i].qs), eight);
        const __m256 p = _mm256_cvtepi32_ps(dot_i8(q, loadu(x[i].qs)));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p, acc);
    }
    return hsum(acc);
}

float dot_q4_1(int64_t nb, const BlockQ4_1* w, const BlockQ8_1* x) {
    __m256 acc = _mm256_setzero_ps();
    float mins = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
        const __m256 p = _mm256_cvtepi32_ps(dot_u8_i8(nibbles32(w[i].qs), loadu(x[i].qs)));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p, acc);
        mins += h2f(w[i].m) * h2f(x[i].s);
    }
    return hsum(acc) + mins;
}

float dot_q5_0(int64_t nb, const BlockQ5_0* w, const BlockQ8_0* x) {
    __m256 acc = _mm256_setzero_ps();
    const __m256i b16 = _mm256_set1_epi8(16);
    for (int64_t i = 0; i < nb; ++i) {
        const __m256i hi = _mm256_and_si256(bits_to_bytes(w[i].qh), b16);
        const __m256i q = _mm256_sub_epi8(_mm256_or_si256(nibbles32(w[i].qs), hi), b16);
        const __m256 p = _mm256_cvtepi32_ps(dot_i8(q, loadu(x[i].qs)));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p, acc);
    }
    return hsum(acc);
}

float dot_q5_1(int64_t nb, const BlockQ5_1* w, const BlockQ8_1* x) {
    __m256 acc = _mm256_setzero_ps();
    float mins = 0.0f;
    const __m256i b16 = _mm256_set1_epi8(16);
    for (int64_t i = 0; i < nb; ++i) {
        const __m256i q = _mm256_or_si256(nibbles32(w[i].qs), _mm256_and_si256(bits_to_bytes(w[i].qh), b16));
        const __m256 p = _mm256_cvtepi32_ps(dot_u8_i8(q, loadu(x[i].qs)));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p, acc);
        mins += h2f(w[i].m) * h2f(x[i].s);
    }
    return hsum(acc) + mins;
}

float dot_q8_0(int64_t nb, const BlockQ8_0* w, const BlockQ8_0* x) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < nb; ++i) {
        const __m256 p = _mm256_cvtepi32_ps(dot_i8(loadu(w[i].qs), loadu(x[i].qs)));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p, acc);
    }
    return hsum(acc);
}

// ---- K-quants (against Q8_K) -------------------------------------------------------------------

float dot_q2_k(int64_t nb, const BlockQ2_K* w, const BlockQ8_K* x) {
    __m256 acc = _mm256_setzero_ps(), acc_min = _mm256_setzero_ps();
    const __m256i three = _mm256_set1_epi8(3);
    const __m128i low4 = _mm_set1_epi8(0x0F);
    for (int64_t i = 0; i < nb; ++i) {
        const __m128i packed = loadu128(w[i].scales);
        const __m128i s8 = _mm_and_si128(packed, low4);
        const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), low4));
        const __m256i mins = _mm256_madd_epi16(mins16, loadu(x[i].bsums));
        acc_min = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].dmin)), _mm256_cvtepi32_ps(mins), acc_min);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            __m256i q = loadu(w[i].qs + 32 * h);
            for (int j = 0; j < 4; ++j) {
                const int g = 8 * h + 2 * j;
                const __m256i p = _mm256_maddubs_epi16(_mm256_and_si256(q, three), loadu(x[i].qs + 16 * g));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scale_pair(s8, g)));
                q = _mm256_srli_epi16(q, 2);
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].d)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(_mm256_sub_ps(acc, acc_min));
}

float dot_q3_k(int64_t nb, const BlockQ3_K* w, const BlockQ8_K* x) {
    __m256 acc = _mm256_setzero_ps(), acc_off = _mm256_setzero_ps();
    const __m256i three = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    for (int64_t i = 0; i < nb; ++i) {
        uint32_t u[4];
        unpack_q3_k_scales_u(w[i].scales, u);
        const __m128i s8 = _mm_sub_epi8(loadu128(u), _mm_set1_epi8(32));
        const float d = x[i].d * h2f(w[i].d);
        // q = u - 4 with u = low2 | high << 2 in [0, 7]; the -4 is applied through bsums.
        const __m256i off = _mm256_madd_epi16(_mm256_cvtepi8_epi16(s8), loadu(x[i].bsums));
        acc_off = _mm256_fmadd_ps(_mm256_set1_ps(4.0f * d), _mm256_cvtepi32_ps(off), acc_off);
        __m256i hm = loadu(w[i].hmask);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            __m256i q = loadu(w[i].qs + 32 * h);
            for (int j = 0; j < 4; ++j) {
                const int g = 8 * h + 2 * j;
                const __m256i high = _mm256_slli_epi16(_mm256_and_si256(hm, one), 2);
                const __m256i uq = _mm256_or_si256(_mm256_and_si256(q, three), high);
                const __m256i p = _mm256_maddubs_epi16(uq, loadu(x[i].qs + 16 * g));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scale_pair(s8, g)));
                q = _mm256_srli_epi16(q, 2);
                hm = _mm256_srli_epi16(hm, 1);
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(_mm256_sub_ps(acc, acc_off));
}

// Q4_K and Q5_K share everything but the fifth bit.
template <bool kFifthBit, typename Block>
float dot_q45_k(int64_t nb, const Block* w, const BlockQ8_K* x) {
    __m256 acc = _mm256_setzero_ps(), acc_min = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    for (int64_t i = 0; i < nb; ++i) {
        uint32_t u[4];
        unpack_k4_scales(w[i].scales, u);
        const auto* sc = reinterpret_cast<const uint8_t*>(u);
        // Each min covers two bsums (32 elements = 2 groups of 16): duplicate the min bytes.
        const __m128i mins8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(u + 2));
        const __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(mins8, mins8));
        const __m256i mins = _mm256_madd_epi16(m16, loadu(x[i].bsums));
        acc_min = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].dmin)), _mm256_cvtepi32_ps(mins), acc_min);
        __m256i hb = _mm256_setzero_si256();
        if constexpr (kFifthBit) hb = loadu(w[i].qh);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i q = loadu(w[i].qs + 32 * j);
            __m256i lo = _mm256_and_si256(q, low4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            if constexpr (kFifthBit) {
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(hb, one), 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 1), one), 4));
                hb = _mm256_srli_epi16(hb, 2);
            }
            const __m256i p0 = _mm256_maddubs_epi16(lo, loadu(x[i].qs + 64 * j));
            const __m256i p1 = _mm256_maddubs_epi16(hi, loadu(x[i].qs + 64 * j + 32));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * j])));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * j + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].d)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(_mm256_sub_ps(acc, acc_min));
}

float dot_q6_k(int64_t nb, const BlockQ6_K* w, const BlockQ8_K* x) {
    __m256 acc = _mm256_setzero_ps(), acc_off = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    for (int64_t i = 0; i < nb; ++i) {
        const __m128i s8 = loadu128(w[i].scales);
        const float d = x[i].d * h2f(w[i].d);
        // q = u - 32 with u in [0, 63]; the -32 is applied through bsums.
        const __m256i off = _mm256_madd_epi16(_mm256_cvtepi8_epi16(s8), loadu(x[i].bsums));
        acc_off = _mm256_fmadd_ps(_mm256_set1_ps(32.0f * d), _mm256_cvtepi32_ps(off), acc_off);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = loadu(w[i].ql + 64 * h);
            const __m256i ql1 = loadu(w[i].ql + 64 * h + 32);
            const __m256i qh = loadu(w[i].qh + 32 * h);
            const __m256i u[4] = {
                _mm256_or_si256(_mm256_and_si256(ql0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4)),
                _mm256_or_si256(_mm256_and_si256(ql1, low4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4)),
            };
            for (int k = 0; k < 4; ++k) {
                const int g = 8 * h + 2 * k;
                const __m256i p = _mm256_maddubs_epi16(u[k], loadu(x[i].qs + 16 * g));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scale_pair(s8, g)));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(_mm256_sub_ps(acc, acc_off));
}

template <typename T>
const T* as(const void* p) {
    return static_cast<const T*>(p);
}

// ---- dequantization of the types read row by row at run time (embeddings, F16 weights) ---------

void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) {
    if (type == GgmlType::F16) {
        const auto* s = as<uint16_t>(src);
        int64_t i = 0;
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_f16x8(s + i));
        for (; i < n; ++i) dst[i] = h2f(s[i]);
        return;
    }
    if (type == GgmlType::Q8_0) {
        const auto* b = as<BlockQ8_0>(src);
        for (int64_t i = 0; i < n / 32; ++i) {
            const __m256 d = _mm256_set1_ps(h2f(b[i].d));
            for (int k = 0; k < 4; ++k) {
                const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b[i].qs + 8 * k)));
                _mm256_storeu_ps(dst + 32 * i + 8 * k, _mm256_mul_ps(_mm256_cvtepi32_ps(q), d));
            }
        }
        return;
    }
    scalar_dequantize_row(type, src, dst, n);
}

}  // namespace

float avx2_vec_dot(GgmlType type, int64_t n, const void* w, const void* x) {
    const int64_t nb32 = n / 32, nbk = n / 256;
    switch (type) {
        case GgmlType::F32: return dot_f32(n, as<float>(w), as<float>(x));
        case GgmlType::F16: return dot_f16(n, as<uint16_t>(w), as<uint16_t>(x));
        case GgmlType::BF16: return dot_bf16(n, as<uint16_t>(w), as<uint16_t>(x));
        case GgmlType::Q4_0: return dot_q4_0(nb32, as<BlockQ4_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q4_1: return dot_q4_1(nb32, as<BlockQ4_1>(w), as<BlockQ8_1>(x));
        case GgmlType::Q5_0: return dot_q5_0(nb32, as<BlockQ5_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q5_1: return dot_q5_1(nb32, as<BlockQ5_1>(w), as<BlockQ8_1>(x));
        case GgmlType::Q8_0: return dot_q8_0(nb32, as<BlockQ8_0>(w), as<BlockQ8_0>(x));
        case GgmlType::Q2_K: return dot_q2_k(nbk, as<BlockQ2_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q3_K: return dot_q3_k(nbk, as<BlockQ3_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q4_K: return dot_q45_k<false>(nbk, as<BlockQ4_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q5_K: return dot_q45_k<true>(nbk, as<BlockQ5_K>(w), as<BlockQ8_K>(x));
        case GgmlType::Q6_K: return dot_q6_k(nbk, as<BlockQ6_K>(w), as<BlockQ8_K>(x));
        default: return scalar_vec_dot(type, n, w, x);  // Q8_1 / Q8_K are activation types only
    }
}

void avx2_dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) { dequantize_row(type, src, dst, n); }

constinit const KernelTable kAvx2Kernels{Isa::Avx2, avx2_dequantize_row, scalar_quantize_row, avx2_vec_dot};

}  // namespace veil::engine::detail
