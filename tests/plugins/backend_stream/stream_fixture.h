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

    Err load(const veil_model_source& src, const std::string& options, void** model) {
        return take(vt->load(instance, &src, options.c_str(), model));
    }
    Poco::JSON::Object::Ptr stats(void* model) {
        char* json = nullptr;
        Err e = take(vt->stats(model, &json));
        if (!e.ok) throw std::runtime_error("stats: " + e.message);
        auto obj = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        std::free(json);
        return obj;
    }
    uint32_t n_vocab(void* model) {
        veil_model_info info_out{};
        info_out.struct_size = sizeof(info_out);
        take(vt->model_info(model, &info_out));
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

// The smallest budget backend_stream accepts for `src`, read from its refusal of a 1-byte budget
// ("... needs at least X MiB (N bytes) ...").
inline uint64_t minimum_budget(const veil_model_source& src) {
    void* model = nullptr;
    Err e = stream_plugin().load(src, budget_json(1), &model);
    if (e.ok) throw std::runtime_error("a 1-byte budget was accepted");
    std::smatch m;
    if (!std::regex_search(e.message, m, std::regex(R"(needs at least [0-9.]+ MiB \(([0-9]+) bytes\))")))
        throw std::runtime_error("refusal without the required bytes: " + e.message);
    return std::stoull(m[1].str());
}

// Greedy generation through the ABI: prompt, then n_steps tokens; every step's logits.
inline std::vector<std::vector<float>> greedy_logits(BackendPlugin& p, void* model, const std::vector<int32_t>& prompt,
                                                     size_t n_steps, uint32_t n_ctx = 0) {
    const uint32_t n_vocab = p.n_vocab(model);
    void* session = nullptr;
    Err e = take(p.vt->session_create(model, n_ctx, &session));
    if (!e.ok) throw std::runtime_error("session_create: " + e.message);
    std::vector<std::vector<float>> out;
    std::vector<float> logits(n_vocab);
    e = take(p.vt->eval(session, prompt.data(), prompt.size(), logits.data()));
    if (!e.ok) throw std::runtime_error("eval: " + e.message);
    out.push_back(logits);
    for (size_t k = 0; k < n_steps; ++k) {
        const int32_t tok = argmax(logits.data(), logits.size());
        e = take(p.vt->eval(session, &tok, 1, logits.data()));
        if (!e.ok) throw std::runtime_error("eval: " + e.message);
        out.push_back(logits);
    }
    p.vt->session_destroy(session);
    return out;
}

}  // namespace veil::test
