// Software prefetches of the grouped kernels (group_kernels.h), shared by every ISA's kernels: in
// decode they stream the weights from memory, and the hardware prefetchers alone lose track of
// the grouped layout's streams. Plain x86-64 instructions, no ISA flags needed.
#pragma once

#include <xmmintrin.h>

#include <cstddef>
#include <cstdint>

namespace veil::engine::detail {

// One prefetch instruction for the line holding p. An asm statement with a side effect, not
// _mm_prefetch: GCC 12 takes __builtin_prefetch for side-effect free, so a helper function made
// only of prefetches (prefetch_k_column, three loops of them) was found "const" and its calls
// deleted before inlining; the kernel then had no prefetch at all, with no warning.
template <int kHint>
[[gnu::always_inline]] inline void prefetch_line(const char* p) {
    static_assert(kHint == _MM_HINT_T0 || kHint == _MM_HINT_T1, "prefetch_line: T0 or T1");
    if constexpr (kHint == _MM_HINT_T0)
        asm volatile("prefetcht0 %0" : : "m"(*p));
    else
        asm volatile("prefetcht1 %0" : : "m"(*p));
}

// Asks for the block column at least 4 KiB (a whole number of columns) ahead while this one is
// computed. The hardware prefetchers alone lost track of the grouped layout's streams: one core's
// matvec of a DRAM-resident 32000 x 2048 matrix ran at 17 GB/s for Q6_K (whose columns read ql, qh
// and scales in turn) and 37 GB/s for Q4_0, against 47 and 45 GB/s with these prefetches.
// kHint: the cache level (_MM_HINT_T0: L1, T1: L2); kMinAhead: the distance (1: the next column).
template <size_t kColumnBytes, int kHint = _MM_HINT_T0, size_t kMinAhead = 4096>
inline void prefetch_ahead(const uint8_t* col) {
    constexpr size_t kAhead = (kMinAhead + kColumnBytes - 1) / kColumnBytes * kColumnBytes;
    const char* p = reinterpret_cast<const char*>(col) + kAhead;
    for (size_t off = 0; off < kColumnBytes; off += 64) prefetch_line<kHint>(p + off);
}

// The K-quants' columns (2304 bytes for Q4_K, 3360 for Q6_K) are asked for three times: into L2
// at least kFarBytes ahead, into L2 again two columns (at least 4 KiB) ahead, and into L1 one
// column ahead. The far request starts the memory read early; the second catches the lines of
// the first that did not arrive (asked for once at either distance alone, the K-quant columns
// streamed slower). Two threads streaming ~600 MB of grouped rows against the memory probe
// (BM_DecodePass, Zen 4 host at ~34 GB/s, paired rounds in one process), from the previous
// scheme (T0 two columns ahead for Q4_K; T1 two ahead and T0 one ahead for Q6_K):
//   Q4_K, far 3 columns: 0.95 -> 0.99-1.00 (far 4 columns: 0.99, far 6: 0.97; far 4 without the
//   second request: 0.92);
//   Q6_K, far 4 columns: 0.88 -> 0.95-0.98 (far 3: 0.92-0.93, far 5-6: 0.95-0.96; far 4 without
//   the second request: 0.87).
// The *_0 types' small columns stream at the probe's rate with prefetch_ahead alone; this scheme
// made them 2-4% slower.
template <size_t kColumnBytes, size_t kFarBytes>
inline void prefetch_k_column(const uint8_t* col) {
    prefetch_ahead<kColumnBytes, _MM_HINT_T1, kFarBytes>(col);
    prefetch_ahead<kColumnBytes, _MM_HINT_T1>(col);
    prefetch_ahead<kColumnBytes, _MM_HINT_T0, 1>(col);
}

}  // namespace veil::engine::detail
