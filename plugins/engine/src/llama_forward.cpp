#include "veil/engine/llama_forward.h"

#include <algorithm>
#include <cstring>
#include <string>

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
      attn_scratch_(model.n_threads(), n_ctx_, model.hparams().gqa_group()),
      act_(hp_, batch_),
      x_(static_cast<size_t>(batch_) * hp_.n_embd) {}

LlamaSession::~LlamaSession() { secure_zero(x_.data(), x_.size() * sizeof(float)); }

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

void LlamaSession::forward_chunk(const int32_t* tokens, uint32_t n, float* logits) {
    const ComputePools pools{model_.pool(), model_.serial_pool()};
    embed_tokens(w_.tok_embd, tokens, n, hp_.n_embd, x_.data());
    rope_.prepare(n_past_, n);
    SequenceRows rows;
    rows.cache = &cache_;
    rows.rope = &rope_;
    rows.attention = &attn_scratch_;
    rows.pos0 = n_past_;
    rows.n = n;
    for (uint32_t l = 0; l < hp_.n_layer; ++l) run_llama_layer(pools, hp_, w_.layers[l], l, x_.data(), &rows, 1, act_);

    if (logits == nullptr) return;
    // Only the last token's logits are wanted: normalise and project that one row.
    RmsNormRows output_norm{x_.data() + static_cast<size_t>(n - 1) * hp_.n_embd, w_.output_norm, hp_.n_embd, 1,
                            hp_.rms_eps, act_.xn.data()};
    weight_matmul(pools, w_.output, act_.xn.data(), 1, logits, act_.mm, {}, output_norm.step());
}

}  // namespace veil::engine
