#include "veil/engine/llama_weights.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "veil/engine/llama_error.h"
#include "veil/engine/non_finite.h"
#include "veil/engine/row_groups.h"

namespace veil::engine {
namespace {

std::string dims_str(const veil_tensor_desc& d) {
    std::string s = "[";
    for (uint32_t i = 0; i < d.n_dims && i < VEIL_MAX_DIMS; ++i) s += (i ? ", " : "") + std::to_string(d.dims[i]);
    return s + "]";
}

// Validates tensors by name against the expected shapes, remembering which were claimed.
class Indexer {
public:
    explicit Indexer(const veil_model_source& s) : s_(s) {
        for (size_t i = 0; i < s.n_tensors; ++i) {
            if (s.tensors[i].name == nullptr) throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "a tensor has no name");
            index_.emplace(s.tensors[i].name, i);
        }
    }

    bool has(const std::string& name) const { return index_.count(name) != 0; }

    // A matrix of `rows` x `cols`; rows == 0 accepts any row count (used to learn n_vocab).
    size_t matrix(const std::string& name, int64_t rows, int64_t cols) {
        const size_t i = find(name);
        const veil_tensor_desc& d = s_.tensors[i];
        const TypeTraits* tt = type_traits(d.type);
        if (tt == nullptr) fail(name, "type " + std::to_string(d.type) + " is not supported");
        if (d.n_dims != 2 || d.dims[0] != static_cast<uint64_t>(cols) ||
            (rows != 0 && d.dims[1] != static_cast<uint64_t>(rows)))
            fail(name, "dims " + dims_str(d) + ", expected [" + std::to_string(cols) + ", " +
                           (rows ? std::to_string(rows) : std::string("n_vocab")) + "]");
        if (d.dims[1] == 0 || d.dims[1] > (1u << 30)) fail(name, "dims " + dims_str(d) + " out of range");
        if (cols % tt->block_elems != 0)
            fail(name, "row length " + std::to_string(cols) + " is not a multiple of the " + tt->name +
                           " block size " + std::to_string(tt->block_elems));
        check_bytes(name, d, d.dims[1] * row_bytes(static_cast<GgmlType>(d.type), cols));
        claim(i);
        return i;
    }

    // An F32 vector of n elements (norm weights are always F32 in llama GGUFs).
    size_t vector(const std::string& name, int64_t n) {
        const size_t i = find(name);
        const veil_tensor_desc& d = s_.tensors[i];
        if (d.type != static_cast<uint32_t>(GgmlType::F32))
            fail(name, "type " + std::string(type_traits(d.type) ? type_traits(d.type)->name : "?") + " (" +
                           std::to_string(d.type) + "), expected f32");
        if (d.n_dims != 1 || d.dims[0] != static_cast<uint64_t>(n))
            fail(name, "dims " + dims_str(d) + ", expected [" + std::to_string(n) + "]");
        check_bytes(name, d, static_cast<uint64_t>(n) * sizeof(float));
        claim(i);
        return i;
    }

    uint64_t claimed_bytes() const { return bytes_; }

    // Every tensor must have been claimed: an unknown one means a variant we would compute wrongly.
    void require_all_used() const {
        for (size_t i = 0; i < s_.n_tensors; ++i)
            if (used_.count(i) == 0)
                throw LlamaError(VEIL_ERR_UNSUPPORTED, std::string("tensor '") + s_.tensors[i].name +
                                                           "' is not part of the llama graph Veil implements");
    }

private:
    [[noreturn]] void fail(const std::string& name, const std::string& what) const {
        throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "tensor '" + name + "': " + what);
    }
    size_t find(const std::string& name) const {
        auto it = index_.find(name);
        if (it == index_.end()) throw LlamaError(VEIL_ERR_NOT_FOUND, "tensor '" + name + "' is missing");
        return it->second;
    }
    void check_bytes(const std::string& name, const veil_tensor_desc& d, uint64_t expected) const {
        if (d.n_bytes != expected)
            fail(name, "holds " + std::to_string(d.n_bytes) + " bytes, its shape needs " + std::to_string(expected));
    }
    void claim(size_t i) {
        if (used_.insert(i).second) bytes_ += s_.tensors[i].n_bytes;
    }

    const veil_model_source& s_;
    std::unordered_map<std::string, size_t> index_;
    std::unordered_set<size_t> used_;
    uint64_t bytes_ = 0;
};

const void* checked_data(const veil_model_source& source, size_t i, const TensorData& data_of) {
    const void* p = data_of(i);
    if (p == nullptr) throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, std::string("tensor '") + source.tensors[i].name + "': has no data");
    if (reinterpret_cast<uintptr_t>(p) % 64 != 0)
        throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, std::string("tensor '") + source.tensors[i].name + "': data is not 64-byte aligned");
    return p;
}

}  // namespace

LlamaTensorIndex index_llama_tensors(const veil_model_source& source, LlamaHParams& hp) {
    Indexer b(source);
    LlamaTensorIndex t;
    const int64_t d = hp.n_embd;

    t.tok_embd = b.matrix("token_embd.weight", hp.n_vocab, d);
    if (hp.n_vocab == 0) hp.n_vocab = static_cast<uint32_t>(source.tensors[t.tok_embd].dims[1]);
    t.output_norm = b.vector("output_norm.weight", d);
    // Tied embeddings (no output.weight): llama.cpp reuses token_embd as the output projection.
    t.output = b.has("output.weight") ? b.matrix("output.weight", hp.n_vocab, d) : t.tok_embd;

    t.layers.resize(hp.n_layer);
    for (uint32_t l = 0; l < hp.n_layer; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LlamaLayerTensors& L = t.layers[l];
        L.attn_norm = b.vector(p + "attn_norm.weight", d);
        L.wq = b.matrix(p + "attn_q.weight", hp.q_dim(), d);
        L.wk = b.matrix(p + "attn_k.weight", hp.kv_dim(), d);
        L.wv = b.matrix(p + "attn_v.weight", hp.kv_dim(), d);
        L.wo = b.matrix(p + "attn_output.weight", d, hp.q_dim());
        L.ffn_norm = b.vector(p + "ffn_norm.weight", d);
        L.gate = b.matrix(p + "ffn_gate.weight", hp.n_ff, d);
        L.up = b.matrix(p + "ffn_up.weight", hp.n_ff, d);
        L.down = b.matrix(p + "ffn_down.weight", d, hp.n_ff);
    }
    b.require_all_used();
    t.total_bytes = b.claimed_bytes();
    return t;
}

void require_finite(const veil_tensor_desc& tensor, const void* data, uint64_t offset, uint64_t bytes) {
    const TypeTraits* tt = type_traits(tensor.type);
    const uint64_t cols = tensor.dims[0];
    if (tt == nullptr || cols == 0 || cols % tt->block_elems != 0) return;
    const auto type = static_cast<GgmlType>(tensor.type);
    const uint64_t row = row_bytes(type, static_cast<int64_t>(cols));
    const auto found = find_non_finite(type, data, static_cast<int64_t>(bytes / row), static_cast<int64_t>(cols));
    if (!found) return;
    NonFinite at = *found;
    at.row += static_cast<int64_t>(offset / row);
    // backend_full checks before the index has refused nameless tensors.
    const char* name = tensor.name != nullptr ? tensor.name : "?";
    throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, std::string("tensor '") + name + "' (" + tt->name + "): " +
                                                    describe(at, type) +
                                                    "; weights must be finite, so the model file is corrupt");
}

WeightMatrix matrix_view(const veil_model_source& source, size_t tensor_index, const void* data, int64_t rows) {
    const veil_tensor_desc& d = source.tensors[tensor_index];
    WeightMatrix m;
    m.type = static_cast<GgmlType>(d.type);
    m.cols = static_cast<int64_t>(d.dims[0]);
    m.rows = rows != 0 ? rows : static_cast<int64_t>(d.dims[1]);
    m.row_stride = row_bytes(m.type, m.cols);
    m.data = data;
    return m;
}

LlamaLayerWeights bind_llama_layer(const veil_model_source& source, const LlamaLayerTensors& t, const TensorData& data_of) {
    auto mat = [&](size_t i) { return matrix_view(source, i, checked_data(source, i, data_of)); };
    auto vec = [&](size_t i) { return static_cast<const float*>(checked_data(source, i, data_of)); };
    LlamaLayerWeights L;
    L.attn_norm = vec(t.attn_norm);
    L.wq = mat(t.wq);
    L.wk = mat(t.wk);
    L.wv = mat(t.wv);
    L.wo = mat(t.wo);
    L.ffn_norm = vec(t.ffn_norm);
    L.gate = mat(t.gate);
    L.up = mat(t.up);
    L.down = mat(t.down);
    return L;
}

LlamaWeights bind_llama_weights(const veil_model_source& source, LlamaHParams& hp, const TensorData& data_of) {
    const LlamaTensorIndex t = index_llama_tensors(source, hp);
    LlamaWeights w;
    w.tok_embd = matrix_view(source, t.tok_embd, checked_data(source, t.tok_embd, data_of));
    w.output_norm = static_cast<const float*>(checked_data(source, t.output_norm, data_of));
    w.output = matrix_view(source, t.output, checked_data(source, t.output, data_of));
    w.layers.reserve(t.layers.size());
    for (const LlamaLayerTensors& L : t.layers) w.layers.push_back(bind_llama_layer(source, L, data_of));
    w.total_bytes = t.total_bytes;
    return w;
}

namespace {

void group_if_faster(WeightMatrix& m) {
    if (matmul_layout(m.type, m.rows) == RowLayout::Grouped16) group_rows(m);
}

}  // namespace

void group_weight_rows(LlamaLayerWeights& l) {
    for (WeightMatrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down}) group_if_faster(*m);
}

void group_weight_rows(LlamaWeights& w) {
    for (LlamaLayerWeights& l : w.layers) group_weight_rows(l);
    if (w.output.data != w.tok_embd.data) group_if_faster(w.output);
}

}  // namespace veil::engine
