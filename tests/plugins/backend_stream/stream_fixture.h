// Drives a backend plugin (.so) through its C ABI with a minimal host, as the host does: used to
// run backend_stream and backend_full side by side on the same model source.
#pragma once

#include <dlfcn.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "test_llama_support.h"  // includes core's host_api.h, which defines struct veil_error
#include "veil/backend.h"

namespace veil::test {

struct Err {
    veil_error_code code = VEIL_ERR_GENERIC;
    std::string message;
    bool ok = true;
};
inline Err take(veil_error* e) {
    Err r;
    if (e != nullptr) {
        r = {e->code, e->message, false};
        ErrorDeleter()(e);
    }
    return r;
}

// A backend-owned handle (a model or a session) released when it goes out of scope — also when a
// failed ASSERT returns from the test early. Declare a model after its source and sessions after
// their model: backend.h wants sessions destroyed before unload and the source valid until unload
// returns. A model leaked past its source crashed the test process after a failed comparison:
// backend_stream's prefetcher reads the next pass's first units ahead, from the destroyed source.
template <void (*veil_backend_vtable::*Release)(void*)>
class BackendHandle {
public:
    BackendHandle() = default;
    BackendHandle(const veil_backend_vtable* vt, void* handle) : vt_(vt), handle_(handle) {}
    BackendHandle(BackendHandle&& o) noexcept : vt_(o.vt_), handle_(std::exchange(o.handle_, nullptr)) {}
    BackendHandle& operator=(BackendHandle&& o) noexcept {
        if (this != &o) {
            reset();
            vt_ = o.vt_;
            handle_ = std::exchange(o.handle_, nullptr);
        }
        return *this;
    }
    ~BackendHandle() { reset(); }

    void* get() const { return handle_; }
    void reset() {
        if (handle_ != nullptr) (vt_->*Release)(std::exchange(handle_, nullptr));
    }

private:
    const veil_backend_vtable* vt_ = nullptr;
    void* handle_ = nullptr;
};
using LoadedModel = BackendHandle<&veil_backend_vtable::unload>;
using OpenSession = BackendHandle<&veil_backend_vtable::session_destroy>;

class BackendPlugin {
public:
    explicit BackendPlugin(const char* so) {
        api_.struct_size = sizeof(api_);
        api_.abi_major = VEIL_ABI_MAJOR;
        api_.abi_minor = VEIL_ABI_MINOR;
        api_.host_ctx = this;
        api_.log = [](void*, veil_log_level, const char*) {};
        api_.error_new = [](void*, veil_error_code code, const char* msg) { return HostApi::new_error(code, msg); };
        api_.error_free = [](void*, veil_error* e) { ErrorDeleter()(e); };
        api_.alloc = [](void*, size_t size, size_t align) -> void* {
            if (align == 0) align = 64;
            return std::aligned_alloc(align, (size + align - 1) / align * align);
        };
        api_.free = [](void*, void* p) { std::free(p); };
        void* h = dlopen(so, RTLD_NOW | RTLD_LOCAL);  // never dlclosed, as in the host
        if (h == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
        auto query = reinterpret_cast<veil_plugin_query_fn>(dlsym(h, VEIL_PLUGIN_QUERY_SYMBOL));
        if (query == nullptr) throw std::runtime_error("no veil_plugin_query");
        info = query();
        vt = static_cast<const veil_backend_vtable*>(info->vtable);
        Err e = take(info->create(&api_, "{}", &instance));
        if (!e.ok) throw std::runtime_error("create: " + e.message);
    }
    ~BackendPlugin() {
        if (instance) info->destroy(instance);
    }
    BackendPlugin(const BackendPlugin&) = delete;
    BackendPlugin& operator=(const BackendPlugin&) = delete;

    // On success `out` holds the model (a model it held before is unloaded).
    Err load(const veil_model_source& src, const std::string& options, LoadedModel& out) {
        void* model = nullptr;
        Err e = take(vt->load(instance, &src, options.c_str(), &model));
        if (e.ok) out = LoadedModel(vt, model);
        return e;
    }
    Err open_session(const LoadedModel& model, uint32_t n_ctx, OpenSession& out) {
        void* session = nullptr;
        Err e = take(vt->session_create(model.get(), n_ctx, &session));
        if (e.ok) out = OpenSession(vt, session);
        return e;
    }
    Poco::JSON::Object::Ptr stats(const LoadedModel& model) {
        char* json = nullptr;
        Err e = take(vt->stats(model.get(), &json));
        if (!e.ok) throw std::runtime_error("stats: " + e.message);
        auto obj = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        std::free(json);
        return obj;
    }
    uint32_t n_vocab(const LoadedModel& model) {
        veil_model_info info_out{};
        info_out.struct_size = sizeof(info_out);
        take(vt->model_info(model.get(), &info_out));
        return info_out.n_vocab;
    }

    veil_host_api api_{};
    const veil_plugin_info* info = nullptr;
    const veil_backend_vtable* vt = nullptr;
    void* instance = nullptr;
};

inline BackendPlugin& stream_plugin() {
    static BackendPlugin* p = new BackendPlugin(VEIL_BACKEND_STREAM_SO);  // process lifetime, like the host's
    return *p;
}
inline BackendPlugin& full_plugin() {
    static BackendPlugin* p = new BackendPlugin(VEIL_BACKEND_FULL_SO);
    return *p;
}

inline std::string budget_json(uint64_t budget) {
    return "{\"threads\":2,\"memory_budget\":" + std::to_string(budget) + "}";
}

// The smallest budget backend_stream accepts for `src` (with `more_options`, e.g. "\"n_ctx\":64",
// added to the options object), read from its refusal of a 1-byte budget ("... needs at least X
// MiB (N bytes) ...").
inline uint64_t minimum_budget(const veil_model_source& src, const std::string& more_options = "") {
    LoadedModel model;
    std::string options = budget_json(1);
    if (!more_options.empty()) options.insert(options.size() - 1, "," + more_options);
    Err e = stream_plugin().load(src, options, model);
    if (e.ok) throw std::runtime_error("a 1-byte budget was accepted");
    std::smatch m;
    if (!std::regex_search(e.message, m, std::regex(R"(needs at least [0-9.]+ MiB \(([0-9]+) bytes\))")))
        throw std::runtime_error("refusal without the required bytes: " + e.message);
    return std::stoull(m[1].str());
}

// Greedy generation through the ABI: prompt, then n_steps tokens; every step's logits.
inline std::vector<std::vector<float>> greedy_logits(BackendPlugin& p, const LoadedModel& model,
                                                     const std::vector<int32_t>& prompt, size_t n_steps, uint32_t n_ctx = 0) {
    const uint32_t n_vocab = p.n_vocab(model);
    OpenSession session;
    Err e = p.open_session(model, n_ctx, session);
    if (!e.ok) throw std::runtime_error("session_create: " + e.message);
    std::vector<std::vector<float>> out;
    std::vector<float> logits(n_vocab);
    e = take(p.vt->eval(session.get(), prompt.data(), prompt.size(), logits.data()));
    if (!e.ok) throw std::runtime_error("eval: " + e.message);
    out.push_back(logits);
    for (size_t k = 0; k < n_steps; ++k) {
        const int32_t tok = argmax(logits.data(), logits.size());
        e = take(p.vt->eval(session.get(), &tok, 1, logits.data()));
        if (!e.ok) throw std::runtime_error("eval: " + e.message);
        out.push_back(logits);
    }
    return out;
}

// The logits of a greedy generation through backend_full (everything resident) — what
// backend_stream must reproduce bit for bit.
inline std::vector<std::vector<float>> full_greedy_logits(const veil_model_source& src, const std::vector<int32_t>& prompt,
                                                          size_t n_steps, uint32_t n_ctx = 0) {
    LoadedModel full;
    Err e = full_plugin().load(src, R"({"threads":2})", full);
    if (!e.ok) throw std::runtime_error("backend_full load: " + e.message);
    return greedy_logits(full_plugin(), full, prompt, n_steps, n_ctx);
}

}  // namespace veil::test
