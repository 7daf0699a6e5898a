#include "veil/engine/llama_layer_step.h"

#include <algorithm>

#include "veil/engine/kernels.h"

namespace veil::engine {

namespace {

// Below ~a quarter million multiply-adds (tens of microseconds on one core) handing rows to other
// threads costs more than it saves. Every row is computed identically either way.
ThreadPool& pool_for(const ComputePools& pools, uint64_t macs) {
    constexpr uint64_t kMinParallelMacs = uint64_t{1} << 18;
    return macs < kMinParallelMacs ? pools.serial : pools.parallel;
}

uint64_t macs_of(const WeightMatrix& w, uint32_t n) {
    return static_cast<uint64_t>(w.rows) * static_cast<uint64_t>(w.cols) * n;
}

// op(y + i, x + i, r1 - r0) on rows [r0, r1) of each of n stacked rows of `width` floats: an
// element-wise step after a matmul (the residual add after a projection, y = x_residual and x =
// the projection; SwiGLU after gate and up, y = gate and x = up), done by the matmul's threads on
// the rows each has just computed (RowsDone).
template <void (*op)(float*, const float*, int64_t)>
struct RowsOp {
    float* y;
    const float* x;
    uint32_t width, n;

    static void rows(void* ctx, int64_t r0, int64_t r1) {
        const RowsOp& a = *static_cast<const RowsOp*>(ctx);
        for (uint32_t t = 0; t < a.n; ++t) {
            const size_t at = static_cast<size_t>(t) * a.width + static_cast<size_t>(r0);
            op(a.y + at, a.x + at, r1 - r0);
        }
    }
    RowsDone done() { return {rows, this}; }
};
using AddProjection = RowsOp<add_inplace>;
using SwigluRows = RowsOp<swiglu>;


}  // namespace

void weight_matmul(const ComputePools& pools, const WeightMatrix& w, const float* x, uint32_t n, float* y,
                   MatmulScratch& scratch, RowsDone done, InputStep input) {
    matmul(pool_for(pools, macs_of(w, n)), w, x, n, y, scratch, done, input);
}

void weight_matmul_many(const ComputePools& pools, std::span<const WeightMatrix* const> w, const float* x, uint32_t n,
                        std::span<float* const> y, MatmulScratch& scratch, RowsDone done, InputStep input) {
    uint64_t macs = 0;
    for (const WeightMatrix* m : w) macs += macs_of(*m, n);
    matmul_many(pool_for(pools, macs), w, x, n, y, scratch, done, input);
}

LayerActivations::LayerActivations(const LlamaHParams& hp, uint32_t max_rows) : max_rows_(max_rows) {
    const size_t b = max_rows;
    xn.resize(b * hp.n_embd);
    q.resize(b * hp.q_dim());
    k.resize(b * hp.kv_dim());
    v.resize(b * hp.kv_dim());
    attn_out.resize(b * hp.q_dim());
    proj.resize(b * hp.n_embd);
    gate.resize(b * hp.n_ff);
    up.resize(b * hp.n_ff);
}

LayerActivations::~LayerActivations() {
    for (std::vector<float>* buf : {&xn, &q, &k, &v, &attn_out, &proj, &gate, &up})
        secure_zero(buf->data(), buf->size() * sizeof(float));
    secure_zero(mm.x_converted.data(), mm.x_converted.size());
}

size_t LayerActivations::bytes_for(const LlamaHParams& hp, uint32_t max_rows) {
    const size_t per_row = 2 * static_cast<size_t>(hp.n_embd) + 2 * hp.q_dim() + 2 * hp.kv_dim() + 2 * static_cast<size_t>(hp.n_ff);
    return per_row * max_rows * sizeof(float);
}

size_t LayerActivations::matmul_scratch_bytes(const LlamaHParams& hp, uint32_t max_rows) {
    // One conversion of an activation row of w elements takes at most 5w + 256 bytes: the
    // converted row (at most 2 bytes per element, F16/BF16), the tile kernels' side data (at most
    // 2 bytes per element) and the group kernels' (a quarter byte), each 64-byte aligned. The fused
    // products of the normed input (Q, K, V) convert it at most three times.
    auto conversion = [](size_t w) { return 5 * w + 256; };
    const size_t widest = std::max({hp.n_embd, hp.q_dim(), hp.n_ff});
    const size_t per_row = std::max(3 * conversion(hp.n_embd), conversion(widest));
    return static_cast<size_t>(max_rows) * per_row + 64;
}

void embed_tokens(const WeightMatrix& tok_embd, const int32_t* tokens, uint32_t n, uint32_t n_embd, float* x) {
    const KernelTable& kt = best_kernels();
    // Only the rows of the tokens present are dequantized.
    for (uint32_t t = 0; t < n; ++t)
        kt.dequantize_row(tok_embd.type, tok_embd.row(tokens[t]), x + static_cast<size_t>(t) * n_embd, n_embd);
}

void run_llama_layer(const ComputePools& pools, const LlamaHParams& hp, const LlamaLayerWeights& L, uint32_t layer,
                     float* x, const SequenceRows* seqs, size_t n_seqs, LayerActivations& act) {
    const uint32_t d = hp.n_embd, qd = hp.q_dim(), kvd = hp.kv_dim(), ff = hp.n_ff;
    uint32_t n = 0;
    for (size_t s = 0; s < n_seqs; ++s) n = std::max(n, seqs[s].row0 + seqs[s].n);
    auto rows = [](std::vector<float>& v, uint32_t row, uint32_t width) { return v.data() + static_cast<size_t>(row) * width; };

    // Attention block: x += Wo * attention(rope(Wq xn), rope(Wk xn), Wv xn).
    RmsNormRows attn_norm{x, L.attn_norm, d, n, hp.rms_eps, act.xn.data()};
    const WeightMatrix* qkv[] = {&L.wq, &L.wk, &L.wv};
    float* qkv_out[] = {act.q.data(), act.k.data(), act.v.data()};
    weight_matmul_many(pools, qkv, act.xn.data(), n, qkv_out, act.mm, {}, attn_norm.step());
    for (size_t s = 0; s < n_seqs; ++s) {
        const SequenceRows& sq = seqs[s];
        const NewRows fresh{rows(act.q, sq.row0, qd), rows(act.k, sq.row0, kvd), rows(act.v, sq.row0, kvd), sq.rope,
                            sq.rope_t0};
        attend_new_rows(pools.parallel, hp, *sq.cache, layer, fresh, sq.n, sq.pos0, rows(act.attn_out, sq.row0, qd),
                        *sq.attention);
    }
    AddProjection add_attention{x, act.proj.data(), d, n};
    weight_matmul(pools, L.wo, act.attn_out.data(), n, act.proj.data(), act.mm, add_attention.done());

    // Feed-forward block: x += W_down (silu(W_gate xn) * W_up xn).
    RmsNormRows ffn_norm{x, L.ffn_norm, d, n, hp.rms_eps, act.xn.data()};
    const WeightMatrix* gate_up[] = {&L.gate, &L.up};
    float* gate_up_out[] = {act.gate.data(), act.up.data()};
    SwigluRows glu{act.gate.data(), act.up.data(), ff, n};
    weight_matmul_many(pools, gate_up, act.xn.data(), n, gate_up_out, act.mm, glu.done(), ffn_norm.step());
    AddProjection add_ffn{x, act.proj.data(), d, n};
    weight_matmul(pools, L.down, act.gate.data(), n, act.proj.data(), act.mm, add_ffn.done());
}

void RmsNormRows::run(void* ctx) {
    const RmsNormRows& a = *static_cast<const RmsNormRows*>(ctx);
    for (uint32_t t = 0; t < a.n; ++t) {
        const size_t at = static_cast<size_t>(t) * a.width;
        rms_norm(a.x + at, a.weight, a.width, a.eps, a.xn + at);
    }
}

void output_norm_rows(const LlamaHParams& hp, const float* output_norm, const float* x, uint32_t n, float* xn) {
    RmsNormRows rows{x, output_norm, hp.n_embd, n, hp.rms_eps, xn};
    RmsNormRows::run(&rows);
}

}  // namespace veil::engine
