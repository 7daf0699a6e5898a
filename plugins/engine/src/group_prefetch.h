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
// only of prefetches (prefetch_k_column's three loops) was found "const" and its calls
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
// at least kFarBytes ahead and again two columns (at least 4 KiB) ahead, at the start of a
// column (prefetch_k_column_to_l2), and the next column into L1 in parts spread over the
// column's work (prefetch_next_column_part). The far request starts the memory read early; the
// second catches the lines of the first that did not arrive (asked for once at either distance
// alone, the K-quant columns streamed slower); the L1 request in parts keeps the misses in flight
// from piling up at the column's start. Two threads streaming ~600 MB of grouped rows against
// the memory probe (BM_DecodePass; Zen 4 host at ~33 GB/s; variants compared in one process, a
// variant per round against the same probe), from the previous scheme (T0 two columns ahead for
// Q4_K; T1 two ahead and T0 one ahead for Q6_K):
//   Q4_K, far 3 columns: 0.95 -> 0.98-0.99 with the L1 request whole at the column's start, 1.00
//   in 4 parts (far 4 columns: 0.99, far 6: 0.97; far 4 without the second request: 0.92);
//   Q6_K, far 4 columns: 0.88 -> 0.93-0.98 whole, 0.98-1.00 in 4 parts (in 2 parts 0.96-0.98;
//   far 3: 0.92-0.93, far 5-6: 0.95-0.96; far 4 without the second request: 0.87).
// Into L1 only, even spread over the column, Q4_K lost 8% and Q6_K streamed at 0.55. The *_0
// types' small columns stream at the probe's rate with prefetch_ahead alone; the three requests
// made them 2-4% slower.
template <size_t kColumnBytes, size_t kFarBytes>
inline void prefetch_k_column_to_l2(const uint8_t* col) {
    prefetch_ahead<kColumnBytes, _MM_HINT_T1, kFarBytes>(col);
    prefetch_ahead<kColumnBytes, _MM_HINT_T1>(col);
}

// Part `part` (0 .. kParts - 1) of the column after `col` into L1: kParts runs of whole lines that
// together cover it (the last may reach into the column after it, which is harmless).
template <size_t kColumnBytes, int kParts>
inline void prefetch_next_column_part(const uint8_t* col, int part) {
    constexpr size_t kPartBytes = (kColumnBytes + 64 * kParts - 1) / (64 * kParts) * 64;
    const char* p = reinterpret_cast<const char*>(col) + kColumnBytes + static_cast<size_t>(part) * kPartBytes;
    for (size_t off = 0; off < kPartBytes; off += 64) prefetch_line<_MM_HINT_T0>(p + off);
}

// All three requests at the start of a column, for kernels whose column has no natural parts.
template <size_t kColumnBytes, size_t kFarBytes>
inline void prefetch_k_column(const uint8_t* col) {
    prefetch_k_column_to_l2<kColumnBytes, kFarBytes>(col);
    prefetch_ahead<kColumnBytes, _MM_HINT_T0, 1>(col);
}

}  // namespace veil::engine::detail
