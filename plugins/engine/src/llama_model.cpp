#include "veil/engine/llama_model.h"

#include "veil/engine/llama_error.h"

namespace veil::engine {

LlamaModel::LlamaModel(const veil_model_source& source, const TensorData& data_of, int n_threads, Rows rows)
    : hp_(read_llama_hparams(source)), w_(bind_llama_weights(source, hp_, data_of)) {
    if (rows == Rows::Grouped) group_weight_rows(w_);
    if (n_threads < 1 || n_threads > 1024)
        throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "threads = " + std::to_string(n_threads) + " is out of range 1..1024");
    pool_ = std::make_unique<ThreadPool>(n_threads);
    serial_pool_ = std::make_unique<ThreadPool>(1);
}

}  // namespace veil::engine
