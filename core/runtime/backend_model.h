// Host-side handles for a model and its sessions inside a backend plugin: RAII over the backend
// vtable, with every returned error turned into a PluginCallError that names the plugin.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "plugin_host/plugin.h"
#include "veil/backend.h"

namespace veil {

class BackendSession;

class BackendModel {
public:
    // Loads through `plugin` (must be a Ready backend). `source` must outlive this object.
    BackendModel(const Plugin& plugin, const veil_model_source* source, const std::string& options_json);
    ~BackendModel();
    BackendModel(const BackendModel&) = delete;
    BackendModel& operator=(const BackendModel&) = delete;

    const veil_model_info& info() const { return info_; }
    const std::string& backend_name() const { return plugin_.spec.name; }
    // A new session with its own KV cache for n_ctx positions (0 = training context).
    std::unique_ptr<BackendSession> new_session(uint32_t n_ctx);
    // The backend's counters as JSON ("{}" when it offers none).
    std::string stats_json() const;
    bool has_decode_batch() const { return plugin_.backend.decode_batch != nullptr; }
    // One decode step for several sessions at once (requires has_decode_batch()).
    void decode_batch(std::span<BackendSession* const> sessions, std::span<const int32_t> tokens, float* logits);

private:
    friend class BackendSession;
    const Plugin& plugin_;
    void* handle_ = nullptr;
    veil_model_info info_{};
};

class BackendSession {
public:
    ~BackendSession();
    BackendSession(const BackendSession&) = delete;
    BackendSession& operator=(const BackendSession&) = delete;

    // Feeds tokens; writes n_vocab logits after the last one when `logits` is non-null.
    void eval(std::span<const int32_t> tokens, float* logits);
    uint32_t position() const;
    void rewind(uint32_t n_past);
    uint32_t n_ctx() const { return n_ctx_; }
    void* handle() const { return handle_; }

private:
    friend class BackendModel;
    BackendSession(const BackendModel& model, void* handle, uint32_t n_ctx)
        : model_(model), handle_(handle), n_ctx_(n_ctx) {}
    const BackendModel& model_;
    void* handle_;
    uint32_t n_ctx_;
};

}  // namespace veil
