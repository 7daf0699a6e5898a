// How backend_stream cuts a model's weights into units it reads, holds and releases as a whole:
// one unit per transformer block (its nine tensors), and the output head split by rows into
// pieces no larger than the largest block, so the streaming window never has to hold the whole
// vocabulary projection. The embedding table is not a unit: a pass reads only the rows of the
// tokens it embeds.
//
// The plan also fixes each extent's row layout in the unit's buffer: matmul weights whose type
// the engine computes faster in 16-row groups on this CPU (engine::row_groups_pay_off) are
// rewritten in place into groups right after they are read (group_extent), exactly as
// backend_full groups its resident weights, so both backends run the same kernel on every row
// and give bit-identical logits. A filled buffer is always in the planned layout — a copy of it
// too — so views only mark what the plan says and never re-pack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "veil/backend.h"
#include "veil/engine/llama_weights.h"
#include "veil/engine/weight_matrix.h"

namespace veil::backend_stream {

// A byte range of one tensor, placed at `dst_offset` in the unit's buffer (64-byte aligned).
struct Extent {
    size_t tensor = 0;
    uint64_t src_offset = 0;
    uint64_t bytes = 0;
    size_t dst_offset = 0;
    engine::RowLayout layout = engine::RowLayout::Plain;  // of these bytes once read (group_extent)
};

struct WeightUnit {
    enum class Kind { Layer, HeadPiece } kind = Kind::Layer;
    uint32_t layer = 0;                 // Kind::Layer
    int64_t row0 = 0, row1 = 0;         // Kind::HeadPiece: rows [row0, row1) of the output matrix
    std::vector<Extent> extents;
    size_t bytes = 0;                   // buffer size, extents padded to 64 bytes
};

// Units in the order a forward pass reads them: blocks 0..n_layer-1, then the head pieces.
// Head pieces start on multiples of 16 rows (when a piece holds at least 16), so each piece's
// groups are the whole matrix's groups and its last rows the matrix's plain tail, as in
// backend_full. A head tied to the embedding table stays Plain, as in backend_full.
std::vector<WeightUnit> plan_weight_units(const veil_model_source& source, const engine::LlamaTensorIndex& index);

// Rewrites extent `e`, just read into `buffer` (the unit's buffer), into its planned layout:
// 16-row groups for a Grouped16 extent (engine::group_rows), nothing for a Plain one. Call once
// per read of the extent. Throws sdk::Error(VEIL_ERR_INTERNAL) if the engine left it Plain.
void group_extent(const veil_model_source& source, const Extent& e, uint8_t* buffer);

// The engine's view of a Layer unit's weights inside `buffer` (filled: in the planned layouts).
engine::LlamaLayerWeights layer_view(const veil_model_source& source, const engine::LlamaTensorIndex& index,
                                     const WeightUnit& unit, const uint8_t* buffer);
// The matrix view of a HeadPiece unit's rows inside `buffer` (filled: in the planned layout).
engine::WeightMatrix head_view(const veil_model_source& source, const WeightUnit& unit, const uint8_t* buffer);

}  // namespace veil::backend_stream
