// A 2-D quantized weight as the matmul kernels see it: its type, shape and row layout in memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include "veil/engine/ggml_types.h"

namespace veil::engine {

// How the rows of a weight matrix are laid out.
enum class RowLayout {
    // GGUF's own: row r is row_bytes(type, cols) contiguous bytes at r * row_stride.
    Plain,
    // Rows [0, rows / 16 * 16) rewritten into groups of 16 interleaved rows (row_groups.h), which
    // the grouped kernels read as one sequential stream with the 16 rows in SIMD lanes; the
    // remaining rows < 16 stay plain after them. Same bytes in total, same place per group.
    Grouped16,
};

// `rows` rows of `cols` elements of `type` (GGUF dims[0] = cols, dims[1] = rows).
struct WeightMatrix {
    GgmlType type = GgmlType::F32;
    const void* data = nullptr;
    int64_t rows = 0;
    int64_t cols = 0;
    size_t row_stride = 0;  // bytes per row (row_bytes(type, cols))
    RowLayout layout = RowLayout::Plain;

    // Row r of a Plain matrix (or a plain tail row of a grouped one).
    const void* row(int64_t r) const { return static_cast<const uint8_t*>(data) + static_cast<size_t>(r) * row_stride; }
};

// A Plain view of `rows` x `cols` of `type` at `data`.
inline WeightMatrix plain_matrix(GgmlType type, const void* data, int64_t rows, int64_t cols) {
    return WeightMatrix{type, data, rows, cols, row_bytes(type, cols), RowLayout::Plain};
}

}  // namespace veil::engine
