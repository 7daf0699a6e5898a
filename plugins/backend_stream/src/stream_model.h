// backend_stream's model: weights read through the model source unit by unit under a hard memory
// budget. Layers that fit after the streaming window stay resident; the rest stream through the
// window each pass, read ahead by the prefetcher's I/O thread. A pass is layer-outer: every row
// waiting (a whole prompt, or one token of each of several sessions) goes through block l before
// block l+1 is needed, so each streamed unit is read once per pass whatever the batch.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "memory_budget.h"
#include "options.h"
#include "prefetcher.h"
#include "stream_session.h"
#include "veil/engine/llama_hparams.h"
#include "veil/engine/llama_layer_step.h"
#include "veil/engine/llama_weights.h"
#include "veil/engine/thread_pool.h"
#include "veil/plugin.hpp"
#include "weight_buffer.h"
#include "weight_units.h"

namespace veil::backend_stream {

class StreamModel final : public sdk::Model {
public:
    static constexpr uint32_t kMaxPassRows = 512;  // residual rows one pass holds (longer prompts take several passes)
    static constexpr uint32_t kMaxBlockRows = 128;  // rows per block call (bounds the activation buffers)
    static constexpr uint32_t kHeadRows = 16;       // logits rows per output-head matmul
    static constexpr size_t kWindowSlots = 2;       // the unit being computed + the one being read

    StreamModel(const sdk::Host& host, const veil_model_source& source, const LoadOptions& options);
    ~StreamModel() override;

    veil_model_info info() const override;
    std::unique_ptr<sdk::Session> create_session(uint32_t n_ctx) override;
    void decode_batch(sdk::Session* const* sessions, const int32_t* tokens, size_t n, float* logits) override;
    std::string stats_json() const override;

    const engine::LlamaHParams& hparams() const { return hp_; }
    int n_threads() const { return pool_->size(); }
    void eval(StreamSession& session, const int32_t* tokens, size_t n_tokens, float* logits);
    void session_closed(uint64_t charged_bytes);

private:
    struct Request {
        StreamSession* session;
        const int32_t* tokens;
        uint32_t n;
        float* logits;  // nullable
    };
    struct Waiting {
        Request req;
        bool done;
        std::exception_ptr error;
    };
    void eval_alone(StreamSession& session, const int32_t* tokens, size_t n_tokens, float* logits);
    void pin_resident_units(uint64_t keep_free);
    void evict_until_available(uint64_t bytes);
    std::vector<size_t> streamed_order() const;
    void run_pass(const std::vector<Request>& reqs);
    void embed(const std::vector<Request>& reqs);
    void run_block(const WeightUnit& unit, const uint8_t* buffer, const std::vector<Request>& reqs);
    void run_head_piece(const WeightUnit& unit, const uint8_t* buffer, const std::vector<Request>& reqs);
    bool keep_resident_if_it_fits(size_t unit, const uint8_t* buffer);

    sdk::Host host_;
    const veil_model_source& source_;
    LoadOptions options_;
    engine::LlamaHParams hp_;
    engine::LlamaTensorIndex index_;
    std::vector<WeightUnit> units_;
    size_t slot_bytes_ = 0;
    std::unique_ptr<MemoryBudget> budget_;
    WeightIoCounters io_;

    std::unique_ptr<engine::ThreadPool> pool_, serial_pool_;
    // Working set, charged at load: residual stream, block activations, head scratch, one
    // embedding row, the final norm's weights.
    uint64_t working_set_bytes_ = 0;
    std::vector<float> x_;
    std::unique_ptr<engine::LayerActivations> act_;
    std::vector<float> head_out_;
    std::unique_ptr<WeightBuffer> embd_row_, output_norm_;

    std::vector<std::unique_ptr<WeightBuffer>> resident_;  // per unit; null = streamed
    std::unique_ptr<Prefetcher> prefetcher_;

    mutable std::mutex compute_mutex_;  // one pass at a time
    std::mutex queue_mu_;               // evals waiting for a pass (see eval)
    std::condition_variable queue_cv_;
    std::vector<Waiting*> queue_;
    bool leading_ = false;
    std::atomic<uint64_t> passes_{0}, rows_{0}, sessions_open_{0}, units_evicted_{0}, units_promoted_{0}, shared_passes_{0};
};

}  // namespace veil::backend_stream
