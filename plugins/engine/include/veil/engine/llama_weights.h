// The tensors of a LLaMA-family model, bound to memory the caller owns and validated against the
// hyper-parameters (presence, type, dims, byte size), so the forward pass never checks shapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "veil/backend.h"
#include "veil/engine/ggml_types.h"
#include "veil/engine/llama_hparams.h"
#include "veil/engine/weight_matrix.h"

namespace veil::engine {

struct LlamaLayerWeights {
    const float* attn_norm = nullptr;  // [n_embd]
    WeightMatrix wq, wk, wv, wo;       // [q_dim x n_embd], [kv_dim x n_embd] x2, [n_embd x q_dim]
    const float* ffn_norm = nullptr;   // [n_embd]
    WeightMatrix gate, up, down;       // [n_ff x n_embd] x2, [n_embd x n_ff]
};

struct LlamaWeights {
    WeightMatrix tok_embd;                 // [n_vocab x n_embd]; rows dequantized on lookup
    const float* output_norm = nullptr;    // [n_embd]
    WeightMatrix output;                   // [n_vocab x n_embd]; tok_embd when the model ties them
    std::vector<LlamaLayerWeights> layers;
    uint64_t total_bytes = 0;              // bytes of every bound tensor
};

// Maps tensor-table index -> that tensor's data (n_bytes, 64-byte aligned, valid as long as the
// returned weights are used).
using TensorData = std::function<const void*(size_t tensor_index)>;

// Tensor-table indices of one block's tensors, in the order the forward pass reads them.
struct LlamaLayerTensors {
    size_t attn_norm, wq, wk, wv, wo, ffn_norm, gate, up, down;
    static constexpr size_t kCount = 9;
    size_t at(size_t i) const { return (&attn_norm)[i]; }
};

// Where every tensor the llama graph uses sits in the source's tensor table, validated (presence,
// type, dims, byte size) without touching any data — what a backend that does not hold every
// weight at once (backend_stream) binds unit by unit.
struct LlamaTensorIndex {
    size_t tok_embd = 0;
    size_t output_norm = 0;
    size_t output = 0;  // == tok_embd when the model ties them
    std::vector<LlamaLayerTensors> layers;
    uint64_t total_bytes = 0;  // bytes of every distinct tensor
};

// Validates the tensor table against hp; fills hp.n_vocab from token_embd when the tokenizer did
// not give it. Throws LlamaError naming the tensor that is missing or malformed, and refuses
// tensors the llama graph does not use (biases, experts, rope factors).
LlamaTensorIndex index_llama_tensors(const veil_model_source& source, LlamaHParams& hp);

// Refuses weights that hold a NaN or an infinity (non_finite.h): `data` holds `bytes` bytes of
// `tensor`'s data read from `offset` into it, both whole rows, as the file stores them (before
// any regrouping). Throws LlamaError(VEIL_ERR_INVALID_ARGUMENT) naming the tensor, the row and the
// block or element. A tensor of a type or shape the index would refuse is left to the index.
// Backends call it on what they read, before the forward pass ever sees it.
void require_finite(const veil_tensor_desc& tensor, const void* data, uint64_t offset, uint64_t bytes);

// A matrix view of tensor `tensor_index` (already validated by index_llama_tensors) over `data`,
// which holds rows [0, rows) of it; rows = 0 means all of them.
WeightMatrix matrix_view(const veil_model_source& source, size_t tensor_index, const void* data, int64_t rows = 0);

// Views of one block's tensors through data_of (each pointer 64-byte aligned, non-null).
LlamaLayerWeights bind_llama_layer(const veil_model_source& source, const LlamaLayerTensors& t, const TensorData& data_of);

// Binds and validates every tensor; fills hp.n_vocab from token_embd when the tokenizer did not
// give it. Throws LlamaError naming the tensor that is missing or malformed, and refuses tensors
// the llama graph does not use (biases, experts, rope factors) rather than silently ignoring them.
LlamaWeights bind_llama_weights(const veil_model_source& source, LlamaHParams& hp, const TensorData& data_of);

// Rewrites, in place, every matmul weight whose type computes faster grouped on this CPU
// (row_groups_pay_off) into 16-row groups and marks its view Grouped16. The memory behind the
// views must be writable and belong to the caller; call once per fill of that memory. The output
// matrix of a model that ties it to tok_embd stays Plain (embedding lookups read plain rows).
void group_weight_rows(LlamaLayerWeights& layer);
void group_weight_rows(LlamaWeights& w);

}  // namespace veil::engine
