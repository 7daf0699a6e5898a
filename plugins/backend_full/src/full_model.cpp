#include "full_model.h"

#include <Poco/JSON/Object.h>

#include <sstream>

#include "veil/backend_common/available_memory.h"
#include "veil/backend_common/engine_errors.h"
#include "veil/engine/kernels.h"
#include "veil/engine/llama_kv_cache.h"

namespace veil::backend_full {

using backend_common::translate_engine_errors;

FullModel::FullModel(const sdk::Host& host, const veil_model_source& source, const LoadOptions& options)
    : options_(options), store_(source, options.mlock, host) {
    llama_ = translate_engine_errors([&] {
        return std::make_unique<engine::LlamaModel>(
            source, [this](size_t i) { return store_.data(i); }, options_.threads, engine::LlamaModel::Rows::Grouped);
    });
}

veil_model_info FullModel::info() const {
    const engine::LlamaHParams& hp = llama_->hparams();
    veil_model_info out{};
    out.struct_size = sizeof(out);
    out.n_vocab = hp.n_vocab;
    out.n_ctx_train = hp.n_ctx_train;
    out.n_embd = hp.n_embd;
    out.n_layer = hp.n_layer;
    out.weight_bytes = llama_->weights().total_bytes;
    return out;
}

std::unique_ptr<sdk::Session> FullModel::create_session(uint32_t n_ctx) {
    // A session commits every page of its KV cache when it opens: one the machine cannot hold
    // (say, a configured n_ctx of millions) is refused here rather than met by the OOM killer.
    const engine::LlamaHParams& hp = llama_->hparams();
    const uint32_t positions = n_ctx == 0 ? hp.n_ctx_train : n_ctx;
    backend_common::require_available_memory(
        engine::KvCache::bytes_for(hp.n_layer, hp.n_head_kv, hp.head_dim, positions),
        "the KV cache of a session of " + std::to_string(positions) + " positions");
    return std::make_unique<FullSession>(*llama_, n_ctx);
}

std::string FullModel::stats_json() const {
    Poco::JSON::Object o;
    o.set("weight_bytes", static_cast<Poco::UInt64>(llama_->weights().total_bytes));
    o.set("resident_bytes", static_cast<Poco::UInt64>(store_.bytes()));
    o.set("threads", llama_->n_threads());
    o.set("isa", std::string(engine::isa_name(engine::best_kernels().isa)));
    o.set("mlock", store_.locked());
    std::ostringstream s;
    o.stringify(s);
    return s.str();
}

FullSession::FullSession(engine::LlamaModel& model, uint32_t n_ctx) {
    session_ = translate_engine_errors([&] { return std::make_unique<engine::LlamaSession>(model, n_ctx); });
}

void FullSession::eval(const int32_t* tokens, size_t n_tokens, float* logits) {
    translate_engine_errors([&] { session_->eval(tokens, n_tokens, logits); });
}

void FullSession::rewind(uint32_t n_past) {
    translate_engine_errors([&] { session_->rewind(n_past); });
}

}  // namespace veil::backend_full
