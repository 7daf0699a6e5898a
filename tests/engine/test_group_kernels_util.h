// Shared helpers of the grouped-kernel tests: a random 16-row group in the Grouped16 layout and
// activation rows laid out as matmul hands them to a group kernel (converted row, side data at
// side_off, rows 64-byte aligned).
#pragma once

#include <cstring>
#include <memory>
#include <vector>

#include "group_kernels.h"
#include "test_kernels_util.h"
#include "veil/engine/row_groups.h"

namespace veil::engine::testing {

inline size_t align64(size_t n) { return (n + 63) / 64 * 64; }

// `rows` random plain rows of `type`, back to back.
inline std::vector<uint8_t> random_rows(GgmlType type, int64_t rows, int64_t cols, std::mt19937& rng) {
    std::vector<uint8_t> m;
    for (int64_t r = 0; r < rows; ++r) {
        const auto row = random_row(type, cols, rng);
        m.insert(m.end(), row.begin(), row.end());
    }
    return m;
}

// The Grouped16 bytes of 16 plain rows (grouped by the library, checked by test_row_groups.cpp),
// placed `misalign` bytes past a 64-byte boundary (group kernels accept any alignment).
struct GroupedRows {
    std::vector<uint8_t> buf;
    const uint8_t* bytes = nullptr;

    GroupedRows(GgmlType type, const std::vector<uint8_t>& plain, int64_t cols, size_t misalign) {
        buf.resize(plain.size() + 64 + misalign);
        auto* p = buf.data() + (64 - reinterpret_cast<uintptr_t>(buf.data()) % 64) % 64 + misalign;
        std::memcpy(p, plain.data(), plain.size());
        WeightMatrix m = plain_matrix(type, p, kRowGroup, cols);
        group_rows(m);
        bytes = p;
    }
};

// n_x activation rows converted for weights of `wtype`, each followed by `kernel`'s side data.
struct GroupActivations {
    std::vector<uint8_t> buf;
    uint8_t* base = nullptr;
    size_t stride = 0, side_off = 0;
    std::vector<std::vector<float>> dequantized;  // each row as the kernel sees it, as floats

    GroupActivations(GgmlType wtype, const detail::GroupKernel& kernel, const std::vector<std::vector<float>>& rows,
                     int64_t cols) {
        const GgmlType xt = traits(wtype).vec_dot_type;
        side_off = align64(row_bytes(xt, cols));
        stride = align64(side_off + kernel.side_bytes(cols)) + 64;  // a spare line: stride is a parameter
        buf.assign(stride * rows.size() + 64, 0);
        base = buf.data() + (64 - reinterpret_cast<uintptr_t>(buf.data()) % 64) % 64;
        for (size_t t = 0; t < rows.size(); ++t) {
            const auto xq = convert_activations(wtype, rows[t]);
            uint8_t* row = base + t * stride;
            std::memcpy(row, xq.data(), xq.size());
            kernel.prepare(row, row + side_off, cols);
            dequantized.push_back(dequantize(xt, xq.data(), cols));
        }
    }
    const uint8_t* side(size_t t) const { return base + t * stride + side_off; }
};

inline std::vector<std::vector<float>> random_activation_rows(int n_x, int64_t cols, std::mt19937& rng) {
    std::vector<std::vector<float>> rows;
    for (int t = 0; t < n_x; ++t) rows.push_back(random_floats(cols, rng));
    return rows;
}

}  // namespace veil::engine::testing
