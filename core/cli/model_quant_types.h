// Which tensor type each tensor gets for a target file type, following llama.cpp's quantizer
// (llama_tensor_get_type in src/llama-quant.cpp) so a file written by Veil has the same tensor
// types as one made by llama-quantize: 2-D weights take the target's base type, norms and other
// 1-D tensors keep their type, output.weight goes to Q6_K for quantized targets (Q8_0 stays
// Q8_0), and Q4_K_M puts attn_v / ffn_down on Q6_K in the "use_more_bits" layers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "veil/engine/ggml_types.h"

namespace veil::cli {

struct QuantTarget {
    std::string_view name;     // "Q4_K_M", as llama-quantize spells it
    uint32_t file_type;        // llama_ftype, stored as general.file_type
    engine::GgmlType base;     // type of the 2-D weights before per-tensor adjustments
    bool k_mixture;            // the _M mixture rules (attn_v / ffn_down)
};

// The target named `name` (case-insensitive); throws UsageError listing the supported ones.
const QuantTarget& quant_target(std::string_view name);
// "F32, F16, Q8_0, ..." for help texts.
std::string quant_target_names();

struct TensorShape {
    std::string name;
    uint32_t type;        // current type (ggml id)
    uint32_t n_dims;
    uint64_t ne0;
};

// The output type of every tensor, in file order (the order matters: llama.cpp counts layers
// by the order attn_v / ffn_down tensors appear). Throws std::runtime_error naming the tensor
// when llama.cpp's choice is a type Veil cannot write.
std::vector<engine::GgmlType> choose_tensor_types(const QuantTarget& target, const std::vector<TensorShape>& tensors);

}  // namespace veil::cli
