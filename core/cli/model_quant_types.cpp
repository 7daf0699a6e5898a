#include "cli/model_quant_types.h"

#include <stdexcept>
#include <strings.h>

#include "cli/options.h"
#include "veil/engine/quantize.h"

namespace veil::cli {

namespace {

using engine::GgmlType;

// llama_ftype values (llama.h).
const QuantTarget kTargets[] = {
    {"F32", 0, GgmlType::F32, false},   {"F16", 1, GgmlType::F16, false},  {"BF16", 32, GgmlType::BF16, false},
    {"Q8_0", 7, GgmlType::Q8_0, false}, {"Q4_0", 2, GgmlType::Q4_0, false}, {"Q4_K_M", 15, GgmlType::Q4_K, true},
    {"Q6_K", 18, GgmlType::Q6_K, false},
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// llama.cpp quantizes 2-D+ tensors named *weight, except norms and a few special tensors.
bool is_quantizable(const TensorShape& t) {
    return ends_with(t.name, "weight") && t.n_dims >= 2 && !contains(t.name, "_norm.weight") &&
           !contains(t.name, "ffn_gate_inp.weight") && !contains(t.name, "pos_embd") && !contains(t.name, "token_types");
}

bool is_quantized(GgmlType t) { return t != GgmlType::F32 && t != GgmlType::F16 && t != GgmlType::BF16; }

// llama.cpp's use_more_bits: the first and last eighth of the layers and every third in between.
bool use_more_bits(int i_layer, int n_layers) {
    return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

// llama.cpp's fallback when a row is not a whole number of the chosen K-quant's super-blocks
// (it refuses other types with such rows, and so do we).
GgmlType incompatible_fallback(const std::string& name, uint64_t ne0, GgmlType t) {
    switch (t) {
        case GgmlType::Q4_K: return GgmlType::Q5_0;
        case GgmlType::Q6_K: return GgmlType::Q8_0;
        default:
            throw std::runtime_error("tensor '" + name + "': rows of " + std::to_string(ne0) + " elements are not whole " +
                                     engine::type_traits(static_cast<uint32_t>(t))->name + " blocks");
    }
}

}  // namespace

const QuantTarget& quant_target(std::string_view name) {
    for (const auto& t : kTargets)
        if (name.size() == t.name.size() && ::strncasecmp(name.data(), t.name.data(), name.size()) == 0) return t;
    throw UsageError("unknown target type '" + std::string(name) + "' (one of: " + quant_target_names() + ")");
}

std::string quant_target_names() {
    std::string out;
    for (const auto& t : kTargets) out += (out.empty() ? "" : ", ") + std::string(t.name);
    return out;
}

std::vector<GgmlType> choose_tensor_types(const QuantTarget& target, const std::vector<TensorShape>& tensors) {
    int n_attn_v = 0, n_ffn_down = 0;
    bool has_output = false;
    for (const auto& t : tensors) {
        n_attn_v += contains(t.name, "attn_v.weight");
        n_ffn_down += contains(t.name, "ffn_down");
        has_output |= t.name == "output.weight";
    }
    int i_attn_v = 0, i_ffn_down = 0;
    std::vector<GgmlType> out;
    out.reserve(tensors.size());
    for (const auto& t : tensors) {
        if (!is_quantizable(t)) {
            out.push_back(static_cast<GgmlType>(t.type));
            continue;
        }
        GgmlType type = target.base;
        if (is_quantized(target.base)) {
            if (t.name == "output.weight" || (!has_output && t.name == "token_embd.weight")) {
                const auto* traits = engine::type_traits(static_cast<uint32_t>(type));
                if (t.ne0 % traits->block_elems != 0) type = GgmlType::Q8_0;
                else if (type != GgmlType::Q8_0) type = GgmlType::Q6_K;
            } else if (contains(t.name, "attn_v.weight")) {
                if (target.k_mixture && use_more_bits(i_attn_v, n_attn_v)) type = GgmlType::Q6_K;
                ++i_attn_v;
            } else if (contains(t.name, "ffn_down")) {
                if (target.k_mixture && use_more_bits(i_ffn_down, n_ffn_down)) type = GgmlType::Q6_K;
                ++i_ffn_down;
            }
        }
        const auto* traits = engine::type_traits(static_cast<uint32_t>(type));
        if (t.ne0 % traits->block_elems != 0) type = incompatible_fallback(t.name, t.ne0, type);
        if (!engine::can_quantize_weights(type))
            throw std::runtime_error("tensor '" + t.name + "': its rows of " + std::to_string(t.ne0) +
                                     " elements need llama.cpp's fallback type " +
                                     engine::type_traits(static_cast<uint32_t>(type))->name +
                                     ", which Veil cannot write");
        out.push_back(type);
    }
    return out;
}

}  // namespace veil::cli
