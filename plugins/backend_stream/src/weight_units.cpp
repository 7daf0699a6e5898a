#include "weight_units.h"

#include <algorithm>

#include "veil/engine/ggml_types.h"

namespace veil::backend_stream {
namespace {

constexpr size_t kAlign = 64;
size_t padded(uint64_t n) { return static_cast<size_t>((n + kAlign - 1) / kAlign * kAlign); }

void add_extent(WeightUnit& u, size_t tensor, uint64_t src_offset, uint64_t bytes) {
    u.extents.push_back({tensor, src_offset, bytes, u.bytes});
    u.bytes += padded(bytes);
}

}  // namespace

std::vector<WeightUnit> plan_weight_units(const veil_model_source& source, const engine::LlamaTensorIndex& index) {
    std::vector<WeightUnit> units;
    size_t largest_layer = 0;
    for (uint32_t l = 0; l < index.layers.size(); ++l) {
        WeightUnit u;
        u.kind = WeightUnit::Kind::Layer;
        u.layer = l;
        for (size_t i = 0; i < engine::LlamaLayerTensors::kCount; ++i) {
            const size_t t = index.layers[l].at(i);
            add_extent(u, t, 0, source.tensors[t].n_bytes);
        }
        largest_layer = std::max(largest_layer, u.bytes);
        units.push_back(std::move(u));
    }

    const veil_tensor_desc& out = source.tensors[index.output];
    const int64_t rows = static_cast<int64_t>(out.dims[1]);
    const size_t row_bytes = engine::row_bytes(static_cast<engine::GgmlType>(out.type), static_cast<int64_t>(out.dims[0]));
    // Pieces as large as the largest block (at least one row): the window sized for blocks holds them.
    const int64_t piece_rows = std::max<int64_t>(1, static_cast<int64_t>(largest_layer / row_bytes));
    for (int64_t r0 = 0; r0 < rows; r0 += piece_rows) {
        WeightUnit u;
        u.kind = WeightUnit::Kind::HeadPiece;
        u.row0 = r0;
        u.row1 = std::min(rows, r0 + piece_rows);
        add_extent(u, index.output, static_cast<uint64_t>(r0) * row_bytes, static_cast<uint64_t>(u.row1 - r0) * row_bytes);
        units.push_back(std::move(u));
    }
    return units;
}

engine::LlamaLayerWeights layer_view(const veil_model_source& source, const engine::LlamaTensorIndex& index,
                                     const WeightUnit& unit, const uint8_t* buffer) {
    const engine::LlamaLayerTensors& t = index.layers[unit.layer];
    return engine::bind_llama_layer(source, t, [&](size_t tensor) -> const void* {
        for (const Extent& e : unit.extents)
            if (e.tensor == tensor) return buffer + e.dst_offset;
        return nullptr;
    });
}

engine::WeightMatrix head_view(const veil_model_source& source, const engine::LlamaTensorIndex& index,
                               const WeightUnit& unit, const uint8_t* buffer) {
    return engine::matrix_view(source, index.output, buffer + unit.extents.front().dst_offset, unit.row1 - unit.row0);
}

}  // namespace veil::backend_stream
