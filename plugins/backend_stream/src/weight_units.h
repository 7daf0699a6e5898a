// How backend_stream cuts a model's weights into units it reads, holds and releases as a whole:
// one unit per transformer block (its nine tensors), and the output head split by rows into
// pieces no larger than the largest block, so the streaming window never has to hold the whole
// vocabulary projection. The embedding table is not a unit: a pass reads only the rows of the
// tokens it embeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "veil/backend.h"
#include "veil/engine/llama_weights.h"

namespace veil::backend_stream {

// A byte range of one tensor, placed at `dst_offset` in the unit's buffer (64-byte aligned).
struct Extent {
    size_t tensor = 0;
    uint64_t src_offset = 0;
    uint64_t bytes = 0;
    size_t dst_offset = 0;
};

struct WeightUnit {
    enum class Kind { Layer, HeadPiece } kind = Kind::Layer;
    uint32_t layer = 0;                 // Kind::Layer
    int64_t row0 = 0, row1 = 0;         // Kind::HeadPiece: rows [row0, row1) of the output matrix
    std::vector<Extent> extents;
    size_t bytes = 0;                   // buffer size, extents padded to 64 bytes
};

// Units in the order a forward pass reads them: blocks 0..n_layer-1, then the head pieces.
std::vector<WeightUnit> plan_weight_units(const veil_model_source& source, const engine::LlamaTensorIndex& index);

// The engine's view of a Layer unit's weights inside `buffer`.
engine::LlamaLayerWeights layer_view(const veil_model_source& source, const engine::LlamaTensorIndex& index,
                                     const WeightUnit& unit, const uint8_t* buffer);
// The matrix view of a HeadPiece unit's rows inside `buffer`.
engine::WeightMatrix head_view(const veil_model_source& source, const engine::LlamaTensorIndex& index,
                               const WeightUnit& unit, const uint8_t* buffer);

}  // namespace veil::backend_stream
