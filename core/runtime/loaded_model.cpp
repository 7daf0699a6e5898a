#include "runtime/loaded_model.h"

#include <spdlog/spdlog.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>
#include <stdexcept>

#include "plugin_host/tee_choice.h"
#include "policy/plan.h"
#include "runtime/model_files.h"

namespace veil {

namespace {

// LoadedModel::n_ctx: the configured context, else the training context (GGUF
// "<general.architecture>.context_length"), capped.
uint32_t session_context(const ModelConfig& model, const GgufFile& gguf, uint32_t cap) {
    uint32_t train = 0;
    if (auto arch = gguf.find_string("general.architecture"))
        train = gguf.find_u32(std::string(*arch) + ".context_length").value_or(0);
    if (model.n_ctx != 0) {
        // Allowed, as llama.cpp allows it, but positions past training make RoPE extrapolate.
        if (train != 0 && model.n_ctx > train)
            spdlog::warn("model '{}': n_ctx {} is beyond its training context of {}; output past position {} "
                         "may degrade",
                         model.id, model.n_ctx, train, train);
        return model.n_ctx;
    }
    return cap != 0 && (train == 0 || train > cap) ? cap : train;
}

}  // namespace

std::unique_ptr<LoadedModel> load_model(const Config& config, PluginHost& plugins, const ModelConfig& model,
                                        const LoadOptions& options) {
    auto m = std::make_unique<LoadedModel>();
    m->config = model;
    const Plugin* tee = choose_tee(config, plugins);
    if (tee != nullptr && !model.sha256 && !model.from_command_line)
        throw std::runtime_error("model '" + model.id + "' has no sha256 pin; a pin is required when a TEE provider (" +
                                 tee->spec.name + ") is active — add sha256: " + verify_model_pin(model) +
                                 " to its entry if that is the file you mean to serve");
    m->sha256 = verify_model_pin(model);
    m->source = OpenedModel::open(model);
    m->tokenizer = Tokenizer::from_gguf(m->source->gguf());

    m->decision = decide_backend(
        gather_policy_inputs(config, plugins, model, m->source->weight_bytes(), options.epc_override));
    if (options.memory_budget && m->decision.backend == "backend_stream")
        m->decision.memory_budget = *options.memory_budget;
    spdlog::info("model '{}': {} ({})", model.id, m->decision.backend, m->decision.reason);

    const Plugin* backend = plugins.find(m->decision.backend);
    if (backend == nullptr || backend->status != PluginStatus::Ready)
        throw std::runtime_error("model '" + model.id + "': the policy chose " + m->decision.backend +
                                 ", which is not loaded" + (backend ? ": " + backend->message() : std::string()));
    Poco::JSON::Object opts;
    if (options.threads) opts.set("threads", *options.threads);
    if (m->decision.memory_budget) opts.set("memory_budget", m->decision.memory_budget);
    m->n_ctx = session_context(model, m->source->gguf(), options.default_ctx_cap);
    if (m->n_ctx != 0) opts.set("n_ctx", m->n_ctx);
    std::ostringstream json;
    Poco::JSON::Stringifier::condense(opts, json);
    m->backend = std::make_unique<BackendModel>(*backend, m->source->abi(), json.str());
    if (m->backend->info().n_vocab != m->tokenizer->n_vocab())
        spdlog::warn("model '{}': the backend reports {} logits but the tokenizer has {} tokens", model.id,
                     m->backend->info().n_vocab, m->tokenizer->n_vocab());
    return m;
}

}  // namespace veil
