#include "veil/engine/llama_forward.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "veil/engine/kernels.h"
#include "veil/engine/llama_error.h"

namespace veil::engine {
namespace {

// Checked before any buffer is sized, so an absurd request fails with a message, not bad_alloc.
uint32_t checked_n_ctx(const LlamaHParams& hp, uint32_t requested) {
    constexpr uint32_t kMaxCtx = 1u << 24;
    const uint32_t n = requested == 0 ? hp.n_ctx_train : requested;
    if (n > kMaxCtx)
        throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "n_ctx " + std::to_string(n) + " exceeds the supported maximum of " +
                                                        std::to_string(kMaxCtx));
    return n;
}

}  // namespace

LlamaSession::LlamaSession(LlamaModel& model, uint32_t n_ctx)
    : model_(model),
      hp_(model.hparams()),
      w_(model.weights()),
      n_ctx_(checked_n_ctx(model.hparams(), n_ctx)),
      batch_(std::min(kMaxBatch, n_ctx_)),
      cache_(hp_.n_layer, hp_.n_head_kv, hp_.head_dim, n_ctx_),
      rope_(hp_.head_dim, hp_.n_rot, hp_.rope_freq_base, batch_),
      attn_scratch_(model.n_threads(), n_ctx_) {
    const size_t b = batch_;
    x_.resize(b * hp_.n_embd);
    xn_.resize(b * hp_.n_embd);
    q_.resize(b * hp_.q_dim());
    k_.resize(b * hp_.kv_dim());
    v_.resize(b * hp_.kv_dim());
    attn_out_.resize(b * hp_.q_dim());
    proj_.resize(b * hp_.n_embd);
    gate_.resize(b * hp_.n_ff);
    up_.resize(b * hp_.n_ff);
}

LlamaSession::~LlamaSession() {
    for (std::vector<float>* buf : {&x_, &xn_, &q_, &k_, &v_, &attn_out_, &proj_, &gate_, &up_})
        secure_zero(buf->data(), buf->size() * sizeof(float));
    secure_zero(mm_scratch_.x_converted.data(), mm_scratch_.x_converted.size());
}

void LlamaSession::rewind(uint32_t n_past) {
    if (n_past > n_past_)
        throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "cannot rewind to position " + std::to_string(n_past) +
                                                        ": the session holds only " + std::to_string(n_past_));
    cache_.clear_from(n_past);
    n_past_ = n_past;
}

void LlamaSession::eval(const int32_t* tokens, size_t n_tokens, float* logits) {
    if (n_tokens == 0) throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "eval needs at least one token");
    if (tokens == nullptr) throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "eval: tokens is null");
    if (n_tokens > n_ctx_ - n_past_)
        throw LlamaError(VEIL_ERR_INVALID_ARGUMENT,
                         "context overflow: position " + std::to_string(n_past_) + " + " + std::to_string(n_tokens) +
                             " tokens exceeds the session's n_ctx of " + std::to_string(n_ctx_));
    for (size_t i = 0; i < n_tokens; ++i)
        if (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= hp_.n_vocab)
            throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "token " + std::to_string(tokens[i]) + " at index " +
                                                            std::to_string(i) + " is outside the vocabulary of " +
                                                            std::to_string(hp_.n_vocab));

    std::lock_guard<std::mutex> lock(model_.compute_mutex());
    const uint32_t start = n_past_;
    try {
        for (size_t done = 0; done < n_tokens;) {
            const uint32_t n = static_cast<uint32_t>(std::min<size_t>(batch_, n_tokens - done));
            const bool last = done + n == n_tokens;
            forward_chunk(tokens + done, n, last ? logits : nullptr);
            done += n;
            n_past_ += n;
        }
    } catch (...) {
        n_past_ = start;  // the positions written so far are simply overwritten next time
        throw;
    }
}

void LlamaSession::mm(const WeightMatrix& w, const float* x, uint32_t n, float* y) {
    // Below ~a quarter million multiply-adds (tens of microseconds on one core) handing rows to
    // other threads costs more than it saves. Every row is computed identically either way.
    constexpr uint64_t kMinParallelMacs = uint64_t{1} << 18;
    const uint64_t macs = static_cast<uint64_t>(w.rows) * static_cast<uint64_t>(w.cols) * n;
    ThreadPool& pool = macs < kMinParallelMacs ? model_.serial_pool() : model_.pool();
    matmul(pool, w.type, w.data, w.rows, w.cols, x, n, y, mm_scratch_);
}

void LlamaSession::forward_chunk(const int32_t* tokens, uint32_t n, float* logits) {
    const KernelTable& kt = best_kernels();
    const uint32_t d = hp_.n_embd, qd = hp_.q_dim(), kvd = hp_.kv_dim(), ff = hp_.n_ff, hd = hp_.head_dim;
    const uint32_t pos0 = n_past_;

    // Embedding lookup: only the rows of the tokens present are dequantized.
    for (uint32_t t = 0; t < n; ++t)
        kt.dequantize_row(w_.tok_embd.type, w_.tok_embd.row(tokens[t]), x_.data() + static_cast<size_t>(t) * d, d);
    rope_.prepare(pos0, n);

    for (uint32_t l = 0; l < hp_.n_layer; ++l) {
        const LlamaLayerWeights& L = w_.layers[l];

        // Attention block: x += Wo * attention(rope(Wq xn), rope(Wk xn), Wv xn).
        for (uint32_t t = 0; t < n; ++t)
            rms_norm(x_.data() + static_cast<size_t>(t) * d, L.attn_norm, d, hp_.rms_eps, xn_.data() + static_cast<size_t>(t) * d);
        mm(L.wq, xn_.data(), n, q_.data());
        mm(L.wk, xn_.data(), n, k_.data());
        mm(L.wv, xn_.data(), n, v_.data());
        for (uint32_t t = 0; t < n; ++t) {
            float* kt_row = k_.data() + static_cast<size_t>(t) * kvd;
            const float* vt_row = v_.data() + static_cast<size_t>(t) * kvd;
            rope_.apply(q_.data() + static_cast<size_t>(t) * qd, hp_.n_head, t);
            rope_.apply(kt_row, hp_.n_head_kv, t);
            for (uint32_t h = 0; h < hp_.n_head_kv; ++h) {
                std::memcpy(cache_.k(l, h, pos0 + t), kt_row + static_cast<size_t>(h) * hd, hd * sizeof(float));
                std::memcpy(cache_.v(l, h, pos0 + t), vt_row + static_cast<size_t>(h) * hd, hd * sizeof(float));
            }
        }
        attention(model_.pool(), hp_, cache_, l, q_.data(), n, pos0, attn_out_.data(), attn_scratch_);
        mm(L.wo, attn_out_.data(), n, proj_.data());
        add_inplace(x_.data(), proj_.data(), static_cast<int64_t>(n) * d);

        // Feed-forward block: x += W_down (silu(W_gate xn) * W_up xn).
        for (uint32_t t = 0; t < n; ++t)
            rms_norm(x_.data() + static_cast<size_t>(t) * d, L.ffn_norm, d, hp_.rms_eps, xn_.data() + static_cast<size_t>(t) * d);
        mm(L.gate, xn_.data(), n, gate_.data());
        mm(L.up, xn_.data(), n, up_.data());
        swiglu(gate_.data(), up_.data(), static_cast<int64_t>(n) * ff);
        mm(L.down, gate_.data(), n, proj_.data());
        add_inplace(x_.data(), proj_.data(), static_cast<int64_t>(n) * d);
    }

    if (logits == nullptr) return;
    // Only the last token's logits are wanted: normalise and project that one row.
    rms_norm(x_.data() + static_cast<size_t>(n - 1) * d, w_.output_norm, d, hp_.rms_eps, xn_.data());
    mm(w_.output, xn_.data(), 1, logits);
}

}  // namespace veil::engine
