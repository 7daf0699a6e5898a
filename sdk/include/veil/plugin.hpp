// Veil plugin SDK — header-only C++ helper, compiled inside the plugin.
//
// Implement one class deriving from veil::sdk::Backend, veil::sdk::TeeProvider or
// veil::sdk::Transport, then export it with one macro in one .cpp file:
//
//     class MyBackend : public veil::sdk::Backend {
//     public:
//         static constexpr const char* kName = "my_backend";
//         static constexpr const char* kVersion = "0.1.0";
//         static constexpr uint64_t kCapabilities = VEIL_CAP_BACKEND_FULL_RESIDENT;
//         static veil::sdk::ProbeResult probe(const veil::sdk::Host& host, const std::string& config_json);
//         MyBackend(const veil::sdk::Host& host, const std::string& config_json);
//         std::unique_ptr<veil::sdk::Model> load(const veil_model_source& source,
//                                                const std::string& options_json) override;
//     };
//     VEIL_EXPORT_PLUGIN(MyBackend)
//
// Every C entry point the macro generates catches exceptions and turns them into host errors:
// veil::sdk::Error keeps its code, std::bad_alloc becomes VEIL_ERR_OUT_OF_MEMORY, anything else
// VEIL_ERR_INTERNAL. Nothing thrown ever crosses into the host.
#ifndef VEIL_PLUGIN_HPP
#define VEIL_PLUGIN_HPP

#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include "veil/backend.h"
#include "veil/plugin.h"
#include "veil/tee.h"
#include "veil/transport.h"

namespace veil::sdk {

// An error with an ABI code; thrown inside the plugin, returned to the host as veil_error*.
class Error : public std::runtime_error {
public:
    Error(veil_error_code code, const std::string& message) : std::runtime_error(message), code_(code) {}
    veil_error_code code() const noexcept { return code_; }

private:
    veil_error_code code_;
};

// The host API as a value type. Copyable; valid as long as the host keeps the plugin loaded.
class Host {
public:
    explicit Host(const veil_host_api* api) : api_(api) {}

    const veil_host_api* api() const noexcept { return api_; }

    void log(veil_log_level level, const std::string& message) const noexcept {
        if (VEIL_HOST_HAS(api_, log)) api_->log(api_->host_ctx, level, message.c_str());
    }

    veil_error* make_error(veil_error_code code, const std::string& message) const noexcept {
        if (!VEIL_HOST_HAS(api_, error_new)) return nullptr;  // cannot happen with a v1 host
        return api_->error_new(api_->host_ctx, code, message.c_str());
    }

    // Host-allocated memory; throws std::bad_alloc when the host refuses.
    void* alloc(size_t size, size_t alignment = 0) const {
        void* p = VEIL_HOST_HAS(api_, alloc) ? api_->alloc(api_->host_ctx, size, alignment) : nullptr;
        if (p == nullptr && size != 0) throw std::bad_alloc();
        return p;
    }
    void drop_error(veil_error* e) const noexcept {
        if (e != nullptr && VEIL_HOST_HAS(api_, error_free)) api_->error_free(api_->host_ctx, e);
    }
    void free(void* p) const noexcept {
        if (VEIL_HOST_HAS(api_, free)) api_->free(api_->host_ctx, p);
    }

    // A host-allocated NUL-terminated copy of `s` (for char** out parameters).
    char* copy_string(std::string_view s) const {
        auto* p = static_cast<char*>(alloc(s.size() + 1, 1));
        std::memcpy(p, s.data(), s.size());
        p[s.size()] = '\0';
        return p;
    }

    // A host-allocated copy of `bytes` (for veil_buffer out parameters).
    veil_buffer copy_bytes(const void* bytes, size_t size) const {
        veil_buffer b{static_cast<uint8_t*>(alloc(size == 0 ? 1 : size, 1)), size};
        if (size != 0) std::memcpy(b.data, bytes, size);
        return b;
    }

    // A spdlog logger whose records go to the host's log callback (not registered globally, so
    // plugins never collide in spdlog's registry).
    std::shared_ptr<spdlog::logger> logger(const std::string& name) const;

private:
    const veil_host_api* api_;
};

// spdlog sink forwarding formatted records to veil_host_api.log.
class HostLogSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit HostLogSink(Host host) : host_(host) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        host_.log(to_veil(msg.level), std::string(msg.payload.data(), msg.payload.size()));
    }
    void flush_() override {}

private:
    static veil_log_level to_veil(spdlog::level::level_enum l) {
        switch (l) {
            case spdlog::level::trace: return VEIL_LOG_TRACE;
            case spdlog::level::debug: return VEIL_LOG_DEBUG;
            case spdlog::level::info: return VEIL_LOG_INFO;
            case spdlog::level::warn: return VEIL_LOG_WARN;
            default: return VEIL_LOG_ERROR;
        }
    }
    Host host_;
};

inline std::shared_ptr<spdlog::logger> Host::logger(const std::string& name) const {
    auto l = std::make_shared<spdlog::logger>(name, std::make_shared<HostLogSink>(*this));
    l->set_level(spdlog::level::trace);  // the host filters by its own level
    return l;
}

// An error the host created and handed to the plugin (e.g. from veil_model_source.read), passed
// on unchanged: the entry point returns this very object, so the host's message — which names
// what failed, e.g. the sealed chunk that failed authentication — reaches the user. `what()` is
// the plugin's own description, used only if the object was already handed over. Owns the error
// until then (released through the host if the exception is swallowed instead).
class HostError : public Error {
public:
    HostError(const Host& host, veil_error* error, veil_error_code code, const std::string& context)
        : Error(code, context), owned_(std::make_shared<Owned>(host, error)) {}

    // The host's error, once (nullptr afterwards); the caller then owns it.
    veil_error* take() const noexcept { return std::exchange(owned_->error, nullptr); }

private:
    struct Owned {
        Owned(const Host& h, veil_error* e) : host(h), error(e) {}
        ~Owned() { host.drop_error(error); }
        Owned(const Owned&) = delete;
        Owned& operator=(const Owned&) = delete;
        Host host;
        veil_error* error;
    };
    std::shared_ptr<Owned> owned_;  // shared: exceptions are copied while thrown
};

// Result of a plugin's static probe: score 0 means unusable here, and `reason` says why.
struct ProbeResult {
    uint32_t score = 0;
    std::string reason;
};

// ---- backend ------------------------------------------------------------------------------------

class Session {
public:
    virtual ~Session() = default;
    // See veil_backend_vtable.eval; `logits` may be null.
    virtual void eval(const int32_t* tokens, size_t n_tokens, float* logits) = 0;
    virtual uint32_t position() const = 0;
    virtual void rewind(uint32_t n_past) = 0;
};

class Model {
public:
    virtual ~Model() = default;
    virtual veil_model_info info() const = 0;
    virtual std::unique_ptr<Session> create_session(uint32_t n_ctx) = 0;
    // OPTIONAL: override together with VEIL_CAP_BACKEND_BATCHED_DECODE.
    virtual void decode_batch(Session* const* sessions, const int32_t* tokens, size_t n, float* logits) {
        (void)sessions, (void)tokens, (void)n, (void)logits;
        throw Error(VEIL_ERR_UNSUPPORTED, "this backend has no batched decode");
    }
    // OPTIONAL: counters as a JSON object.
    virtual std::string stats_json() const { return "{}"; }
};

class Backend {
public:
    static constexpr veil_plugin_kind kKind = VEIL_KIND_BACKEND;
    virtual ~Backend() = default;
    virtual std::unique_ptr<Model> load(const veil_model_source& source, const std::string& options_json) = 0;
};

// ---- TEE provider -------------------------------------------------------------------------------

struct Evidence {
    std::vector<uint8_t> bytes;
    std::string format;
};

class TeeProvider {
public:
    static constexpr veil_plugin_kind kKind = VEIL_KIND_TEE;
    virtual ~TeeProvider() = default;
    virtual uint64_t epc_bytes() = 0;
    virtual Evidence get_evidence(const uint8_t (&report_data)[VEIL_REPORT_DATA_SIZE]) = 0;
    // Returns the claims JSON; throws Error(VEIL_ERR_VERIFICATION, "<failed check>") on failure.
    virtual std::string verify(const uint8_t* evidence, size_t size, const std::string& format,
                               const uint8_t* expected_report_data, const std::string& policy_json) = 0;
};

// ---- transport ----------------------------------------------------------------------------------

class Listener {
public:
    virtual ~Listener() = default;
    // Returns a connected fd and fills `peer`; throws Error(VEIL_ERR_CLOSED) once close() was
    // called, also when that happened before this call. One thread at a time.
    virtual int accept(std::string& peer) = 0;
    // Wakes a blocked accept and makes later ones throw CLOSED; returns once no accept runs. Called
    // from another thread than accept's, possibly more than once (the C shutdown slot, then close);
    // the SDK destroys the listener only after the host's close.
    virtual void close() = 0;
};

class Transport {
public:
    static constexpr veil_plugin_kind kKind = VEIL_KIND_TRANSPORT;
    virtual ~Transport() = default;
    virtual std::unique_ptr<Listener> listen(const std::string& address) = 0;
};

// ---- ABI glue (generated per plugin class by VEIL_EXPORT_PLUGIN) --------------------------------

namespace detail {

// Runs `f`, converting any exception into a host error.
template <class F>
veil_error* guard(const Host& host, F&& f) noexcept {
    try {
        f();
        return nullptr;
    } catch (const HostError& e) {
        if (veil_error* err = e.take()) return err;
        return host.make_error(e.code(), e.what());
    } catch (const Error& e) {
        return host.make_error(e.code(), e.what());
    } catch (const std::bad_alloc&) {
        return host.make_error(VEIL_ERR_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return host.make_error(VEIL_ERR_INTERNAL, std::string("unexpected exception: ") + e.what());
    } catch (...) {
        return host.make_error(VEIL_ERR_INTERNAL, "unexpected non-standard exception");
    }
}

// For void entry points (destroy, unload, close) that cannot return an error: log and release it.
inline void report_dropped(const Host& host, veil_error* err, const char* what) noexcept {
    if (err == nullptr) return;
    host.log(VEIL_LOG_ERROR, std::string(what) + " threw; the error was logged and dropped");
    host.drop_error(err);
}

// Handles handed to the host: the user's object plus the Host needed to report its errors.
template <class T>
struct Handle {
    Host host;
    std::unique_ptr<T> object;
};
using ModelHandle = Handle<Model>;
using SessionHandle = Handle<Session>;
using ListenerHandle = Handle<Listener>;

template <class P>
struct Instance {
    Host host;
    std::unique_ptr<P> plugin;
};

template <class P>
struct Glue {
    using Inst = Instance<P>;

    static uint32_t probe(const veil_host_api* api, const char* config, veil_error** out_reason) noexcept {
        Host host(api);
        ProbeResult r;
        veil_error* err = guard(host, [&] { r = P::probe(host, config ? config : "{}"); });
        if (err != nullptr) {
            if (out_reason) *out_reason = err;
            return 0;
        }
        if (r.score == 0 && out_reason)
            *out_reason = host.make_error(VEIL_ERR_UNSUPPORTED, r.reason.empty() ? "probe returned 0" : r.reason);
        return r.score;
    }
    static veil_error* create(const veil_host_api* api, const char* config, void** out) noexcept {
        Host host(api);
        return guard(host, [&] {
            auto inst = std::make_unique<Inst>(Inst{host, std::make_unique<P>(host, std::string(config ? config : "{}"))});
            *out = inst.release();
        });
    }
    static void destroy(void* instance) noexcept {
        auto* inst = static_cast<Inst*>(instance);
        Host host = inst->host;
        report_dropped(host, guard(host, [&] { delete inst; }), "plugin destructor");
    }

    // backend
    static veil_error* load(void* instance, const veil_model_source* src, const char* options, void** out) noexcept {
        auto* inst = static_cast<Inst*>(instance);
        return guard(inst->host, [&] {
            if constexpr (std::is_base_of_v<Backend, P>) {
                auto m = inst->plugin->load(*src, options ? options : "{}");
                if (!m) throw Error(VEIL_ERR_INTERNAL, "load returned no model");
                *out = new ModelHandle{inst->host, std::move(m)};
            }
        });
    }
    static void unload(void* model) noexcept {
        auto* h = static_cast<ModelHandle*>(model);
        Host host = h->host;
        report_dropped(host, guard(host, [&] { delete h; }), "model destructor");
    }
    static veil_error* model_info(void* model, veil_model_info* out) noexcept {
        auto* h = static_cast<ModelHandle*>(model);
        return guard(h->host, [&] {
            veil_model_info info = h->object->info();
            info.struct_size = sizeof(info);
            size_t n = out->struct_size < sizeof(info) ? out->struct_size : sizeof(info);
            size_t caller_size = out->struct_size;
            std::memcpy(out, &info, n);
            out->struct_size = caller_size;
        });
    }
    static veil_error* session_create(void* model, uint32_t n_ctx, void** out) noexcept {
        auto* h = static_cast<ModelHandle*>(model);
        return guard(h->host, [&] { *out = new SessionHandle{h->host, h->object->create_session(n_ctx)}; });
    }
    static void session_destroy(void* session) noexcept {
        auto* h = static_cast<SessionHandle*>(session);
        Host host = h->host;
        report_dropped(host, guard(host, [&] { delete h; }), "session destructor");
    }
    static veil_error* eval(void* session, const int32_t* tokens, size_t n, float* logits) noexcept {
        auto* h = static_cast<SessionHandle*>(session);
        return guard(h->host, [&] { h->object->eval(tokens, n, logits); });
    }
    static uint32_t session_position(void* session) noexcept {
        return static_cast<SessionHandle*>(session)->object->position();
    }
    static veil_error* session_rewind(void* session, uint32_t n_past) noexcept {
        auto* h = static_cast<SessionHandle*>(session);
        return guard(h->host, [&] { h->object->rewind(n_past); });
    }
    static veil_error* decode_batch(void* model, void* const* sessions, const int32_t* tokens, size_t n,
                                    float* logits) noexcept {
        auto* h = static_cast<ModelHandle*>(model);
        return guard(h->host, [&] {
            std::vector<Session*> s(n);
            for (size_t i = 0; i < n; ++i) s[i] = static_cast<SessionHandle*>(sessions[i])->object.get();
            h->object->decode_batch(s.data(), tokens, n, logits);
        });
    }
    static veil_error* stats(void* model, char** out_json) noexcept {
        auto* h = static_cast<ModelHandle*>(model);
        return guard(h->host, [&] { *out_json = h->host.copy_string(h->object->stats_json()); });
    }

    // TEE
    static veil_error* epc_bytes(void* instance, uint64_t* out) noexcept {
        auto* inst = static_cast<Inst*>(instance);
        return guard(inst->host, [&] {
            if constexpr (std::is_base_of_v<TeeProvider, P>) *out = inst->plugin->epc_bytes();
        });
    }
    static veil_error* get_evidence(void* instance, const uint8_t* rd, veil_buffer* out, char** out_format) noexcept {
        auto* inst = static_cast<Inst*>(instance);
        return guard(inst->host, [&] {
            if constexpr (std::is_base_of_v<TeeProvider, P>) {
                uint8_t report_data[VEIL_REPORT_DATA_SIZE];
                std::memcpy(report_data, rd, sizeof(report_data));
                Evidence ev = inst->plugin->get_evidence(report_data);
                veil_buffer b = inst->host.copy_bytes(ev.bytes.data(), ev.bytes.size());
                try {
                    *out_format = inst->host.copy_string(ev.format);
                } catch (...) {
                    inst->host.free(b.data);
                    throw;
                }
                *out = b;
            }
        });
    }
    static veil_error* verify(void* instance, const uint8_t* ev, size_t size, const char* format,
                              const uint8_t* expected, const char* policy, char** out_claims) noexcept {
        auto* inst = static_cast<Inst*>(instance);
        return guard(inst->host, [&] {
            if constexpr (std::is_base_of_v<TeeProvider, P>) {
                std::string claims = inst->plugin->verify(ev, size, format ? format : "", expected, policy ? policy : "{}");
                *out_claims = inst->host.copy_string(claims);
            }
        });
    }

    // transport
    static veil_error* listen(void* instance, const char* address, void** out) noexcept {
        auto* inst = static_cast<Inst*>(instance);
        return guard(inst->host, [&] {
            if constexpr (std::is_base_of_v<Transport, P>)
                *out = new ListenerHandle{inst->host, inst->plugin->listen(address ? address : "")};
        });
    }
    static veil_error* accept(void* listener, int* out_fd, char* peer, size_t cap) noexcept {
        auto* h = static_cast<ListenerHandle*>(listener);
        // A copy: close() on another thread may delete `h` as soon as accept() throws CLOSED.
        Host host = h->host;
        return guard(host, [&] {
            std::string p;
            *out_fd = h->object->accept(p);
            if (peer && cap) {
                size_t n = p.size() < cap - 1 ? p.size() : cap - 1;
                std::memcpy(peer, p.data(), n);
                peer[n] = '\0';
            }
        });
    }
    static void shutdown(void* listener) noexcept {
        auto* h = static_cast<ListenerHandle*>(listener);
        report_dropped(h->host, guard(h->host, [&] { h->object->close(); }), "listener shutdown");
    }
    static void close(void* listener) noexcept {
        auto* h = static_cast<ListenerHandle*>(listener);
        Host host = h->host;
        report_dropped(host, guard(host, [&] {
                           h->object->close();
                           delete h;
                       }),
                       "listener close");
    }

    static const void* vtable() noexcept {
        if constexpr (std::is_base_of_v<Backend, P>) {
            static const veil_backend_vtable vt = {sizeof(veil_backend_vtable), load, unload, model_info,
                                                   session_create, session_destroy, eval, session_position,
                                                   session_rewind,
                                                   (P::kCapabilities & VEIL_CAP_BACKEND_BATCHED_DECODE) ? decode_batch : nullptr,
                                                   stats};
            return &vt;
        } else if constexpr (std::is_base_of_v<TeeProvider, P>) {
            static const veil_tee_vtable vt = {sizeof(veil_tee_vtable), epc_bytes, get_evidence, verify};
            return &vt;
        } else {
            static_assert(std::is_base_of_v<Transport, P>, "plugin class must derive from Backend, TeeProvider or Transport");
            static const veil_transport_vtable vt = {sizeof(veil_transport_vtable), P::kSchemes, listen, accept, close, shutdown};
            return &vt;
        }
    }

    static const veil_plugin_info* info() noexcept {
        static const veil_plugin_info i = {VEIL_PLUGIN_MAGIC, sizeof(veil_plugin_info), VEIL_ABI_MAJOR, VEIL_ABI_MINOR,
                                           static_cast<uint32_t>(P::kKind), 0, P::kCapabilities, P::kName, P::kVersion,
                                           probe, create, destroy, vtable()};
        return &i;
    }
};

}  // namespace detail
}  // namespace veil::sdk

// Exports `Class` as this shared object's plugin. Use exactly once per plugin.
#define VEIL_EXPORT_PLUGIN(Class)                                                                  \
    extern "C" VEIL_PLUGIN_EXPORT const veil_plugin_info* veil_plugin_query(void) {                \
        return ::veil::sdk::detail::Glue<Class>::info();                                           \
    }

#endif  // VEIL_PLUGIN_HPP
