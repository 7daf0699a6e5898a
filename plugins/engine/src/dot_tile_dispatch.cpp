// Chooses the tile kernel that matches the active kernel table (dot_tile.h).
#include "dot_tile.h"

#include "veil/engine/kernels.h"

namespace veil::engine::detail {

void DotTile::operator()(int64_t n, const uint8_t* w, size_t w_stride, int n_w, const uint8_t* x, size_t x_stride,
                         int n_x, float* out) const {
    if (fn != nullptr) {
        fn(n, w, w_stride, n_w, x, x_stride, n_x, out);
        return;
    }
    const KernelTable& k = best_kernels();
    for (int r = 0; r < n_w; ++r)
        for (int t = 0; t < n_x; ++t)
            out[r * n_x + t] = k.vec_dot(type, n, w + static_cast<size_t>(r) * w_stride, x + static_cast<size_t>(t) * x_stride);
}

DotTile dot_tile_for(GgmlType type) {
    // Only the AVX-512 table has tile kernels; they reproduce that table's vec_dot exactly, so
    // they must not be mixed with another table (VEIL_ISA=avx2 or a CPU without AVX-512).
    if (best_kernels().isa == Isa::Avx512) {
        const AvxTile t = avx512_dot_tile(type);
        return DotTile{type, t.fn, t.side_bytes, t.prepare};
    }
    return DotTile{type};
}

}  // namespace veil::engine::detail
