// A loaded LLaMA-family model: hyper-parameters, validated weight views and the thread pool every
// session of the model computes on. The weights' memory belongs to the caller (the backend).
#pragma once

#include <memory>
#include <mutex>

#include "veil/backend.h"
#include "veil/engine/llama_hparams.h"
#include "veil/engine/llama_weights.h"
#include "veil/engine/thread_pool.h"

namespace veil::engine {

class LlamaModel {
public:
    // How the bound weights' rows are laid out: as the file stores them, or rewritten in place into
    // 16-row groups where that is faster (group_weight_rows; data_of's memory must then be
    // writable and the caller's).
    enum class Rows { AsStored, Grouped };

    // Reads hyper-parameters from `source`'s metadata and binds its tensors through data_of.
    // n_threads >= 1. Throws LlamaError on anything malformed or unsupported.
    LlamaModel(const veil_model_source& source, const TensorData& data_of, int n_threads, Rows rows = Rows::AsStored);

    const LlamaHParams& hparams() const { return hp_; }
    const LlamaWeights& weights() const { return w_; }
    int n_threads() const { return pool_->size(); }

    // The pool runs one parallel region at a time; sessions of one model evaluated from several
    // threads take this lock around a forward pass.
    ThreadPool& pool() { return *pool_; }
    // A pool of just the calling thread, for work smaller than the cost of waking the workers.
    ThreadPool& serial_pool() { return *serial_pool_; }
    std::mutex& compute_mutex() { return compute_mutex_; }

private:
    LlamaHParams hp_;
    LlamaWeights w_;
    std::unique_ptr<ThreadPool> pool_;
    std::unique_ptr<ThreadPool> serial_pool_;
    std::mutex compute_mutex_;
};

}  // namespace veil::engine
