// AVX-512 VNNI grouped kernels for the *_0 types (group_kernels.h): the 16 rows of a group in the
// 16 int32 / float lanes of a zmm register. Per block, each 64-byte load of quants holds 4
// consecutive quants of all 16 rows, dotted with 4 activation bytes broadcast to every lane by
// one dpbusd; the block's int32 sums are then scaled and accumulated exactly as the scalar
// reference does (group_kernels_scalar.cpp). Up to kTile activation rows share each unpacked
// block (prefill); decode is the kTile = 1 case of the same code.
#include <immintrin.h>

#include <cstring>

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "group_kernels.h"
#include "group_kernels_avx512.h"
#include "veil/engine/ggml_blocks.h"

namespace veil::engine::detail {
namespace {

using namespace blocks;

constexpr int kTile = 4;  // activation rows per pass over a group's blocks

// Q4_0: 4 loads of 16 rows x 4 bytes; low nibbles are elements 4c..4c+3, high 16+4c..16+4c+3.
struct Q4_0Block {
    static constexpr size_t kBytes = 16 * sizeof(BlockQ4_0);
    __m512i q[8];  // q[c] elements 4c.., q[4 + c] elements 16 + 4c..
    __m512 d;
    [[gnu::always_inline]] void load(const uint8_t* col) {
        const __m512i low4 = _mm512_set1_epi8(0x0F);
        #pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
            const __m512i v = _mm512_loadu_si512(col + 32 + 64 * c);
            q[c] = _mm512_and_si512(v, low4);
            q[4 + c] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
        }
        d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(col)));
    }
    // Element offset (in the activation block) of the 4 elements q[k] holds.
    static int element(int k) { return k < 4 ? 4 * k : 16 + 4 * (k - 4); }
};

// Q8_0: 8 loads of 16 rows x 4 unsigned (q + 128) bytes, elements 4c..4c+3.
struct Q8_0Block {
    static constexpr size_t kBytes = 16 * sizeof(BlockQ8_0);
    __m512i q[8];
    __m512 d;
    [[gnu::always_inline]] void load(const uint8_t* col) {
        #pragma GCC unroll 8
        for (int c = 0; c < 8; ++c) q[c] = _mm512_loadu_si512(col + 32 + 64 * c);
        d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(col)));
    }
    static int element(int k) { return 4 * k; }
};

inline __m512i broadcast4(const int8_t* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

// Asks for the block column ~4 KiB on while this one is computed: with prefetches the matvec of a
// DRAM-resident matrix streams 10-25% faster on one core than with the hardware prefetchers alone.
template <size_t kColumnBytes>
inline void prefetch_ahead(const uint8_t* col) {
    constexpr size_t kAhead = (4096 + kColumnBytes - 1) / kColumnBytes * kColumnBytes;
    const char* p = reinterpret_cast<const char*>(col) + kAhead;
    for (size_t off = 0; off < kColumnBytes; off += 64) _mm_prefetch(p + off, _MM_HINT_T0);
}

template <typename Block, int T>
void dot_0_tile(int64_t nb, const uint8_t* group, const uint8_t* x, size_t xs, size_t side_off, float* out,
                size_t os) {
    __m512 acc[T];
    #pragma GCC unroll 4
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* col = group + static_cast<size_t>(b) * Block::kBytes;
        prefetch_ahead<Block::kBytes>(col);
        Block w;  // per block, so its registers need not survive the loop (no spill to the stack)
        w.load(col);
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) {
            const uint8_t* xr = x + static_cast<size_t>(t) * xs;
            const int8_t* a = reinterpret_cast<const BlockQ8_0*>(xr)[b].qs;
            const SideQ8_0& side = reinterpret_cast<const SideQ8_0*>(xr + side_off)[b];
            // Two int32 chains (exact, so their split does not matter) halve the dpbusd latency.
            __m512i s0 = _mm512_set1_epi32(side.bias), s1 = _mm512_setzero_si512();
            #pragma GCC unroll 8
            for (int k = 0; k < 8; k += 2) {
                s0 = _mm512_dpbusd_epi32(s0, w.q[k], broadcast4(a + Block::element(k)));
                s1 = _mm512_dpbusd_epi32(s1, w.q[k + 1], broadcast4(a + Block::element(k + 1)));
            }
            const __m512 d = _mm512_mul_ps(w.d, _mm512_set1_ps(side.d));
            acc[t] = _mm512_fmadd_ps(d, _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)), acc[t]);
        }
    }
    for (int t = 0; t < T; ++t) _mm512_storeu_ps(out + static_cast<size_t>(t) * os, acc[t]);
}

template <typename Block>
void dot_0(int64_t n, const uint8_t* group, const uint8_t* x, size_t xs, size_t side_off, int n_x, float* out,
           size_t os) {
    const int64_t nb = n / 32;
    int t = 0;
    for (; t + kTile <= n_x; t += kTile)
        dot_0_tile<Block, kTile>(nb, group, x + static_cast<size_t>(t) * xs, xs, side_off, out + t * os, os);
    switch (n_x - t) {
        case 3: dot_0_tile<Block, 3>(nb, group, x + static_cast<size_t>(t) * xs, xs, side_off, out + t * os, os); break;
        case 2: dot_0_tile<Block, 2>(nb, group, x + static_cast<size_t>(t) * xs, xs, side_off, out + t * os, os); break;
        case 1: dot_0_tile<Block, 1>(nb, group, x + static_cast<size_t>(t) * xs, xs, side_off, out + t * os, os); break;
        default: break;
    }
}

}  // namespace

GroupKernel avx512_group_kernel(GgmlType type) {
    const GroupKernel ref = scalar_group_kernel(type);  // side data is the reference's
    switch (type) {
        case GgmlType::Q4_0: return {dot_0<Q4_0Block>, ref.side_bytes, ref.prepare};
        case GgmlType::Q8_0: return {dot_0<Q8_0Block>, ref.side_bytes, ref.prepare};
        case GgmlType::Q4_K: return {avx512_group_dot_q4_k(), ref.side_bytes, ref.prepare};
        case GgmlType::Q6_K: return {avx512_group_dot_q6_k(), ref.side_bytes, ref.prepare};
        default: return {};
    }
}

}  // namespace veil::engine::detail
