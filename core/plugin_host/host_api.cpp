#include "plugin_host/host_api.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include <spdlog/spdlog.h>

namespace veil {

namespace {

// Returned when even the error object cannot be allocated; recognised by ErrorDeleter.
veil_error g_out_of_memory{VEIL_ERR_OUT_OF_MEMORY, "out of memory (while creating an error)"};

spdlog::level::level_enum to_spdlog(veil_log_level level) {
    switch (level) {
        case VEIL_LOG_TRACE: return spdlog::level::trace;
        case VEIL_LOG_DEBUG: return spdlog::level::debug;
        case VEIL_LOG_INFO: return spdlog::level::info;
        case VEIL_LOG_WARN: return spdlog::level::warn;
        default: return spdlog::level::err;
    }
}

void host_log(void* ctx, veil_log_level level, const char* message) {
    auto* self = static_cast<HostApi*>(ctx);
    spdlog::log(to_spdlog(level), "[{}] {}", self->plugin_name(), message ? message : "");
}

veil_error* host_error_new(void*, veil_error_code code, const char* message) {
    return HostApi::new_error(code, message ? message : "");
}

void host_error_free(void*, veil_error* err) { ErrorDeleter()(err); }

void* host_alloc(void*, size_t size, size_t alignment) {
    if (alignment == 0) alignment = 64;
    if ((alignment & (alignment - 1)) != 0) return nullptr;
    // aligned_alloc needs at least pointer alignment; smaller requests (strings) get that.
    if (alignment < sizeof(void*)) alignment = sizeof(void*);
    size_t rounded = (size + alignment - 1) / alignment * alignment;
    if (rounded < size) return nullptr;
    return std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
}

void host_free(void*, void* p) { std::free(p); }

}  // namespace

void ErrorDeleter::operator()(veil_error* e) const noexcept {
    if (e != nullptr && e != &g_out_of_memory) delete e;
}

void throw_if_error(veil_error* err, const std::string& context) {
    if (err == nullptr) return;
    ErrorPtr owned(err);
    throw PluginCallError(owned->code, context.empty() ? owned->message : context + ": " + owned->message);
}

veil_error* HostApi::new_error(veil_error_code code, const std::string& message) noexcept {
    try {
        return new veil_error{code, message};
    } catch (...) {
        return &g_out_of_memory;
    }
}

const HostApi& HostApi::create_for_process(std::string plugin_name) {
    static std::mutex mutex;
    static auto* all = new std::vector<std::unique_ptr<HostApi>>();  // never destroyed, by design
    std::lock_guard lock(mutex);
    all->push_back(std::make_unique<HostApi>(std::move(plugin_name)));
    return *all->back();
}

HostApi::HostApi(std::string plugin_name) : name_(std::move(plugin_name)) {
    api_ = veil_host_api{};
    api_.struct_size = sizeof(veil_host_api);
    api_.abi_major = VEIL_ABI_MAJOR;
    api_.abi_minor = VEIL_ABI_MINOR;
    api_.host_ctx = this;
    api_.log = host_log;
    api_.error_new = host_error_new;
    api_.error_free = host_error_free;
    api_.alloc = host_alloc;
    api_.free = host_free;
}

}  // namespace veil
