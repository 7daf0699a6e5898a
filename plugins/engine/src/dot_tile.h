// Dot products of a few weight rows with a few activation rows at once (register blocking): the
// micro-kernel of matmul. Each weight block is unpacked once and dotted with every activation row
// of the tile while it sits in registers (prefill reuses weights across tokens), and each
// activation block is loaded and prepared once for every weight row of the tile (decode shares
// the activation work across rows).
//
// Contract: out[r * n_x + t] is bit-identical to
// best_kernels().vec_dot(type, n, w + r * w_stride, x + t * x_stride): per (row, token) pair a
// tile kernel performs exactly the float operations of the single-row kernel in the same order
// (integer parts, being exact, may be computed differently). So prefill and decode agree bit for
// bit, whatever the tile shape or thread count.
//
// Internal header (see kernels_internal.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "veil/engine/ggml_types.h"

namespace veil::engine::detail {

// Largest tile: weight rows x activation rows per call (register budget of the SIMD kernels).
constexpr int kTileW = 4;
constexpr int kTileX = 4;

// out[r * n_x + t] for r < n_w <= kTileW, t < n_x <= kTileX (see above). With n_x == 1, n_w may
// be any count (a run of rows for decode, computed one row at a time).
using DotTileFn = void (*)(int64_t n, const uint8_t* w, size_t w_stride, int n_w, const uint8_t* x, size_t x_stride,
                           int n_x, float* out);

// Activation-side work a tile kernel wants done once per activation row and matmul call (shared
// by every weight row) instead of once per weight row: `side_bytes(n)` bytes placed after the
// converted row at offset side_offset(n), filled by `prepare(row, side, n)`.
using SideBytesFn = size_t (*)(int64_t n);
using PrepareFn = void (*)(const uint8_t* x, uint8_t* side, int64_t n);

// Where the side data of a converted row of n elements of `xtype` starts (64-byte aligned).
inline size_t side_offset(GgmlType xtype, int64_t n) { return (row_bytes(xtype, n) + 63) / 64 * 64; }

struct AvxTile {
    DotTileFn fn = nullptr;
    SideBytesFn side_bytes = nullptr;
    PrepareFn prepare = nullptr;
};

// The AVX-512 tile kernel for `type` (fn nullptr when that type has none; dot_tile_avx512.cpp).
AvxTile avx512_dot_tile(GgmlType type);

// Tile kernel matching best_kernels() for `type`: the SIMD one where it exists, otherwise one that
// calls best_kernels().vec_dot per pair (so the contract holds trivially).
struct DotTile {
    GgmlType type;
    DotTileFn fn = nullptr;  // nullptr: per-pair vec_dot
    SideBytesFn side_bytes = nullptr;  // nullptr: no side data
    PrepareFn prepare = nullptr;
    void operator()(int64_t n, const uint8_t* w, size_t w_stride, int n_w, const uint8_t* x, size_t x_stride, int n_x,
                    float* out) const;
};
DotTile dot_tile_for(GgmlType type);

}  // namespace veil::engine::detail
