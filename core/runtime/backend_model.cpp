#include "runtime/backend_model.h"

#include <vector>

#include "plugin_host/host_api.h"

namespace veil {

BackendModel::BackendModel(const Plugin& plugin, const veil_model_source* source, const std::string& options_json)
    : plugin_(plugin) {
    if (plugin.status != PluginStatus::Ready || plugin.kind != VEIL_KIND_BACKEND)
        throw std::invalid_argument(plugin.label() + " is not a ready backend plugin");
    throw_if_error(plugin.backend.load(plugin.instance, source, options_json.c_str(), &handle_),
                   plugin.spec.name + ": loading model '" + (source->model_id ? source->model_id : "?") + "'");
    info_.struct_size = sizeof(info_);
    try {
        throw_if_error(plugin.backend.model_info(handle_, &info_), plugin.spec.name + ": model_info");
        if (info_.n_vocab == 0) throw std::runtime_error(plugin.spec.name + " reports a model with an empty vocabulary");
    } catch (...) {
        plugin.backend.unload(handle_);
        throw;
    }
}

BackendModel::~BackendModel() {
    if (handle_) plugin_.backend.unload(handle_);
}

std::unique_ptr<BackendSession> BackendModel::new_session(uint32_t n_ctx) {
    void* h = nullptr;
    throw_if_error(plugin_.backend.session_create(handle_, n_ctx, &h), plugin_.spec.name + ": session_create");
    return std::unique_ptr<BackendSession>(new BackendSession(*this, h, n_ctx == 0 ? info_.n_ctx_train : n_ctx));
}

std::string BackendModel::stats_json() const {
    if (plugin_.backend.stats == nullptr) return "{}";
    char* json = nullptr;
    throw_if_error(plugin_.backend.stats(handle_, &json), plugin_.spec.name + ": stats");
    std::string out = json ? json : "{}";
    plugin_.host->api()->free(plugin_.host->api()->host_ctx, json);
    return out;
}

void BackendModel::decode_batch(std::span<BackendSession* const> sessions, std::span<const int32_t> tokens,
                                float* logits) {
    if (!has_decode_batch()) throw std::logic_error(plugin_.spec.name + " has no decode_batch");
    if (sessions.size() != tokens.size()) throw std::invalid_argument("decode_batch: one token per session");
    std::vector<void*> handles(sessions.size());
    for (size_t i = 0; i < sessions.size(); ++i) handles[i] = sessions[i]->handle_;
    throw_if_error(plugin_.backend.decode_batch(handle_, handles.data(), tokens.data(), tokens.size(), logits),
                   plugin_.spec.name + ": decode_batch");
}

BackendSession::~BackendSession() { model_.plugin_.backend.session_destroy(handle_); }

void BackendSession::eval(std::span<const int32_t> tokens, float* logits) {
    throw_if_error(model_.plugin_.backend.eval(handle_, tokens.data(), tokens.size(), logits),
                   model_.plugin_.spec.name + ": eval");
}

uint32_t BackendSession::position() const { return model_.plugin_.backend.session_position(handle_); }

void BackendSession::rewind(uint32_t n_past) {
    throw_if_error(model_.plugin_.backend.session_rewind(handle_, n_past), model_.plugin_.spec.name + ": rewind");
}

}  // namespace veil
