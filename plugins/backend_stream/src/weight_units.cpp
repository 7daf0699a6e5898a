#include "weight_units.h"

#include <algorithm>
#include <string>
#include <utility>

#include "veil/engine/ggml_types.h"
#include "veil/engine/row_groups.h"
#include "veil/plugin.hpp"

namespace veil::backend_stream {
namespace {

constexpr size_t kAlign = 64;
size_t padded(uint64_t n) { return static_cast<size_t>((n + kAlign - 1) / kAlign * kAlign); }

engine::GgmlType type_of(const veil_model_source& source, size_t tensor) {
    return static_cast<engine::GgmlType>(source.tensors[tensor].type);
}

size_t row_bytes_of(const veil_model_source& source, size_t tensor) {
    return engine::row_bytes(type_of(source, tensor), static_cast<int64_t>(source.tensors[tensor].dims[0]));
}

// The layout backend_full gives a matmul weight of `rows` rows (engine::group_weight_rows).
engine::RowLayout compute_layout(engine::GgmlType type, int64_t rows) { return engine::matmul_layout(type, rows); }

void add_extent(WeightUnit& u, size_t tensor, uint64_t src_offset, uint64_t bytes, engine::RowLayout layout) {
    u.extents.push_back({tensor, src_offset, bytes, u.bytes, layout});
    u.bytes += padded(bytes);
}

// The matrix extent `e` holds (whole rows of its tensor), at its place in `buffer`.
engine::WeightMatrix extent_matrix(const veil_model_source& source, const Extent& e, const uint8_t* buffer) {
    const int64_t rows = static_cast<int64_t>(e.bytes / row_bytes_of(source, e.tensor));
    engine::WeightMatrix m = engine::matrix_view(source, e.tensor, buffer + e.dst_offset, rows);
    m.layout = e.layout;
    return m;
}

const Extent& extent_of(const WeightUnit& unit, size_t tensor) {
    for (const Extent& e : unit.extents)
        if (e.tensor == tensor) return e;
    throw sdk::Error(VEIL_ERR_INTERNAL, "tensor " + std::to_string(tensor) + " is not in its weight unit");
}

}  // namespace

std::vector<WeightUnit> plan_weight_units(const veil_model_source& source, const engine::LlamaTensorIndex& index) {
    std::vector<WeightUnit> units;
    size_t largest_layer = 0;
    for (uint32_t l = 0; l < index.layers.size(); ++l) {
        const engine::LlamaLayerTensors& lt = index.layers[l];
        WeightUnit u;
        u.kind = WeightUnit::Kind::Layer;
        u.layer = l;
        for (size_t i = 0; i < engine::LlamaLayerTensors::kCount; ++i) {
            const size_t t = lt.at(i);
            const bool norm = t == lt.attn_norm || t == lt.ffn_norm;
            const auto rows = static_cast<int64_t>(source.tensors[t].dims[1]);
            add_extent(u, t, 0, source.tensors[t].n_bytes, norm ? engine::RowLayout::Plain : compute_layout(type_of(source, t), rows));
        }
        largest_layer = std::max(largest_layer, u.bytes);
        units.push_back(std::move(u));
    }

    const int64_t rows = static_cast<int64_t>(source.tensors[index.output].dims[1]);
    const size_t row_bytes = row_bytes_of(source, index.output);
    // Pieces as large as the largest block (at least one row): the window sized for blocks holds
    // them. Rounded down to whole row groups, so no piece is larger and every group is whole.
    int64_t piece_rows = std::max<int64_t>(1, static_cast<int64_t>(largest_layer / row_bytes));
    if (piece_rows >= engine::kRowGroup) piece_rows = piece_rows / engine::kRowGroup * engine::kRowGroup;
    // A head tied to tok_embd stays Plain, as backend_full keeps it (its embedding lookups read
    // the same rows); this backend reads embedding rows from the source, but must round alike.
    const bool tied = index.output == index.tok_embd;
    for (int64_t r0 = 0; r0 < rows; r0 += piece_rows) {
        WeightUnit u;
        u.kind = WeightUnit::Kind::HeadPiece;
        u.row0 = r0;
        u.row1 = std::min(rows, r0 + piece_rows);
        const engine::RowLayout layout = tied ? engine::RowLayout::Plain : compute_layout(type_of(source, index.output), u.row1 - r0);
        add_extent(u, index.output, static_cast<uint64_t>(r0) * row_bytes, static_cast<uint64_t>(u.row1 - r0) * row_bytes, layout);
        units.push_back(std::move(u));
    }
    return units;
}

void group_extent(const veil_model_source& source, const Extent& e, uint8_t* buffer) {
    if (e.layout != engine::RowLayout::Grouped16) return;
    engine::WeightMatrix m = extent_matrix(source, e, buffer);
    m.layout = engine::RowLayout::Plain;  // as read
    engine::group_rows(m);
    if (m.layout != engine::RowLayout::Grouped16)
        throw sdk::Error(VEIL_ERR_INTERNAL, std::string("tensor '") + source.tensors[e.tensor].name +
                                                "' was planned in 16-row groups but the engine left it plain");
}

engine::LlamaLayerWeights layer_view(const veil_model_source& source, const engine::LlamaTensorIndex& index,
                                     const WeightUnit& unit, const uint8_t* buffer) {
    const engine::LlamaLayerTensors& t = index.layers[unit.layer];
    engine::LlamaLayerWeights L = engine::bind_llama_layer(source, t, [&](size_t tensor) -> const void* {
        for (const Extent& e : unit.extents)
            if (e.tensor == tensor) return buffer + e.dst_offset;
        return nullptr;
    });
    const std::pair<engine::WeightMatrix*, size_t> matrices[] = {{&L.wq, t.wq},     {&L.wk, t.wk}, {&L.wv, t.wv},
                                                                 {&L.wo, t.wo},     {&L.gate, t.gate},
                                                                 {&L.up, t.up},     {&L.down, t.down}};
    for (const auto& [m, tensor] : matrices) m->layout = extent_of(unit, tensor).layout;
    return L;
}

engine::WeightMatrix head_view(const veil_model_source& source, const WeightUnit& unit, const uint8_t* buffer) {
    return extent_matrix(source, unit.extents.front(), buffer);
}

}  // namespace veil::backend_stream
