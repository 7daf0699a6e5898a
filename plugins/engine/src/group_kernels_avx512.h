// Internal header of the AVX-512 grouped kernels (group_kernels_avx512.cpp for the *_0 types,
// group_kernels_k_avx512.cpp for the K-quants): their shared building blocks, and the K-quant
// kernels as function pointers so group_kernels_avx512.cpp can assemble the table. Include only
// from files compiled with the AVX-512 flags.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "group_kernels.h"
#include "group_prefetch.h"

namespace veil::engine::detail {

GroupDotFn avx512_group_dot_q4_k();
GroupDotFn avx512_group_dot_q6_k();       // shifts and masks: any AVX-512 VNNI CPU
GroupDotFn avx512_gfni_group_dot_q6_k();  // GFNI unpacking: only where the CPU has GFNI

namespace avx512_groups {

constexpr int kTile = 4;  // activation rows per pass over a group's block columns (prefill)

// acc + dpbusd(q, the 4 activation bytes at p broadcast to the 16 lanes): 4 quants of 16 rows
// times 4 activations, for a tile of T activation rows. Decode (T = 1) takes the broadcast as the
// instruction's embedded {1to16} memory operand — GCC 12 emits a separate vpbroadcastd for
// _mm512_set1_epi32 of a load, a fifth of the K-quant kernels' instructions, which run close to
// compute-bound (Q4_K from L3 on one core: 57 -> 60-62 GB/s). With several rows the compiler's
// own schedule of separate broadcasts was faster (T = 4 lost 5-15% with the asm).
template <int T>
inline __m512i dpbusd4(__m512i acc, __m512i q, const int8_t* p) {
    if constexpr (T == 1) {
        asm("vpdpbusd %2%{1to16%}, %1, %0" : "+v"(acc) : "v"(q), "m"(*reinterpret_cast<const int32_t*>(p)));
        return acc;
    } else {
        int32_t v;
        std::memcpy(&v, p, 4);
        return _mm512_dpbusd_epi32(acc, q, _mm512_set1_epi32(v));
    }
}

// A 64-byte load that stays one load: GCC folds a load into each instruction that uses the value,
// so taking both nibbles of the same bytes loaded them twice. Q4_K loads once: from L2 on one core
// 51 -> 58 GB/s, from L3 47 -> 51, streamed from memory by two threads no different
// (BM_DecodePass). Q4_0 does not: one load took it from 61 to 70-78 GB/s from L2 but from 1.00 to
// 0.92-0.97 of the memory probe when streamed, on a Zen 4 host at ~35 GB/s.
inline __m512i load_once(const uint8_t* p) {
    __m512i v = _mm512_loadu_si512(p);
    asm("" : "+v"(v));  // the value must now come from a register
    return v;
}

// The 16 rows' fp16 values of a 2-byte field as floats.
inline __m512 halves16(const uint8_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// Kernel<T>::run(x, xs, out, os, args...) over n_x activation rows in tiles of kTile rows, then
// one tile of the remaining 1..3 (T is a template parameter so each tile's accumulators stay in
// registers).
template <template <int> class Kernel, typename... Args>
void by_tiles(int n_x, const uint8_t* x, size_t xs, float* out, size_t os, Args... args) {
    int t = 0;
    for (; t + kTile <= n_x; t += kTile) Kernel<kTile>::run(x + static_cast<size_t>(t) * xs, xs, out + t * os, os, args...);
    const uint8_t* xr = x + static_cast<size_t>(t) * xs;
    float* o = out + t * os;
    switch (n_x - t) {
        case 3: Kernel<3>::run(xr, xs, o, os, args...); break;
        case 2: Kernel<2>::run(xr, xs, o, os, args...); break;
        case 1: Kernel<1>::run(xr, xs, o, os, args...); break;
        default: break;
    }
}

}  // namespace avx512_groups

}  // namespace veil::engine::detail
