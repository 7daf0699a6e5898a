// Interleaving weight rows in groups of 16 (RowLayout::Grouped16): the layout decode reads fastest.
//
// A GGUF matrix stores each row contiguously, so a matrix-vector product either walks one row at a
// time (a horizontal sum per row and per block) or several rows side by side (several memory
// streams, which the hardware prefetchers follow badly). A row group puts 16 rows' blocks side by
// side instead: block column b of a group holds block b of each of the 16 rows, every field of the
// block transposed so that one 64-byte load holds the same bytes of all 16 rows. The grouped
// kernels then compute 16 rows at once in the lanes of a vector, with no horizontal sums, while
// the whole matrix is read as a single sequential stream.
//
// Layout of one block column of a group (16 blocks of B bytes -> 16 * B bytes): each field of the
// block format (ggml_blocks.h) is cut into units of U bytes and transposed, so a field at offset F
// of L bytes becomes [L / U units][16 rows][U bytes] at 16 * F: unit u of row i lands at
// 16 * F + (u * 16 + i) * U. Units are 2 bytes for fp16 scales, 1 for 6-bit scale bytes and 4
// for quants (the 4 consecutive bytes one int32 lane of a dpbusd consumes).
//   Q4_0 (18):  d (2) | qs (16, units of 4)
//   Q8_0 (34):  d (2) | qs (32, units of 4), each quant stored as q + 128 (an unsigned byte)
//   Q4_K (144): d (2) | dmin (2) | scales (12, units of 1) | qs (128, units of 4)
//   Q6_K (210): ql (128, units of 4) | qh (64, units of 4) | scales (16, units of 1) | d (2)
// A group of a matrix of `cols` columns is the group's block columns in order: 16 rows' bytes,
// exactly where the 16 plain rows were. Rows past the last whole group stay plain.
#pragma once

#include <cstdint>

#include "veil/engine/ggml_types.h"
#include "veil/engine/weight_matrix.h"

namespace veil::engine {

constexpr int64_t kRowGroup = 16;

// Whether `type` has a grouped layout (Q4_0, Q8_0, Q4_K, Q6_K). Other types stay Plain.
bool has_row_groups(GgmlType type);

// Whether this CPU (under the active kernel table) computes grouped `type` faster than plain rows:
// there is a SIMD grouped kernel for it. Backends group a matrix only then; elsewhere the grouped
// kernel is the scalar reference, correct but slow.
bool row_groups_pay_off(GgmlType type);

// The layout group_weight_rows (llama_weights.h) gives a matmul weight of `type` with `rows` rows
// on this CPU: Grouped16 where row groups pay off and there is at least one whole group. For
// backends that must know it before the weight's bytes are there (backend_stream plans units).
RowLayout matmul_layout(GgmlType type, int64_t rows);

// Rewrites m's whole groups in place into the Grouped16 layout and marks m so. The memory behind
// m.data must be writable and owned by the caller (const only because views are). Does nothing
// (and leaves m Plain) for types without a grouped layout or matrices of fewer than 16 rows.
// Not thread-safe on the same memory.
void group_rows(WeightMatrix& m);

// The inverse of group_rows (tests; reading a grouped row back). Leaves m Plain.
void ungroup_rows(WeightMatrix& m);

// A copy of row r of m in the plain GGUF block format (works for either layout); dst holds
// m.row_stride bytes.
void copy_plain_row(const WeightMatrix& m, int64_t r, void* dst);

}  // namespace veil::engine
