#include "stream_session.h"

#include <string>

#include "stream_model.h"

namespace veil::backend_stream {

uint64_t StreamSession::bytes_for(const engine::LlamaHParams& hp, uint32_t n_ctx, int n_threads, uint32_t max_pass_rows) {
    const uint64_t kv = engine::KvCache::bytes_for(hp.n_layer, hp.n_head_kv, hp.head_dim, n_ctx);
    const uint64_t scores = engine::AttentionScratch::bytes_for(n_threads, n_ctx, hp.gqa_group());
    const uint64_t rope = 2ull * max_pass_rows * (hp.n_rot / 2) * sizeof(float) + (hp.n_rot / 2) * sizeof(double);
    return kv + scores + rope;
}

StreamSession::StreamSession(StreamModel& model, uint32_t n_ctx, uint64_t charged_bytes)
    : model_(model),
      n_ctx_(n_ctx),
      charged_(charged_bytes),
      cache_(model.hparams().n_layer, model.hparams().n_head_kv, model.hparams().head_dim, n_ctx),
      rope_(model.hparams().head_dim, model.hparams().n_rot, model.hparams().rope_freq_base, StreamModel::kMaxPassRows),
      attention_(model.n_threads(), n_ctx, model.hparams().gqa_group()) {}

StreamSession::~StreamSession() { model_.session_closed(charged_); }

void StreamSession::check_tokens(const int32_t* tokens, size_t n_tokens) const {
    if (n_tokens == 0) throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "eval needs at least one token");
    if (tokens == nullptr) throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "eval: tokens is null");
    if (n_tokens > n_ctx_ - n_past_)
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "context overflow: position " + std::to_string(n_past_) + " + " +
                                                        std::to_string(n_tokens) + " tokens exceeds the session's n_ctx of " +
                                                        std::to_string(n_ctx_));
    const uint32_t n_vocab = model_.hparams().n_vocab;
    for (size_t i = 0; i < n_tokens; ++i)
        if (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= n_vocab)
            throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "token " + std::to_string(tokens[i]) + " at index " +
                                                            std::to_string(i) + " is outside the vocabulary of " +
                                                            std::to_string(n_vocab));
}

void StreamSession::eval(const int32_t* tokens, size_t n_tokens, float* logits) {
    check_tokens(tokens, n_tokens);
    model_.eval(*this, tokens, n_tokens, logits);
}

void StreamSession::rewind(uint32_t n_past) {
    if (n_past > n_past_)
        throw sdk::Error(VEIL_ERR_INVALID_ARGUMENT, "cannot rewind to position " + std::to_string(n_past) +
                                                        ": the session holds only " + std::to_string(n_past_));
    cache_.clear_from(n_past);
    n_past_ = n_past;
}

}  // namespace veil::backend_stream
