#include "plugin_host/plugin_host.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <sstream>

#include <spdlog/spdlog.h>

#include "util/sha256.h"

namespace veil {

const char* to_string(PluginStatus s) {
    switch (s) {
        case PluginStatus::Ready: return "ready";
        case PluginStatus::Unusable: return "unusable";
        default: return "refused";
    }
}

const char* kind_name(uint32_t kind) {
    switch (kind) {
        case VEIL_KIND_BACKEND: return "backend";
        case VEIL_KIND_TEE: return "tee";
        case VEIL_KIND_TRANSPORT: return "transport";
        default: return "unknown";
    }
}

namespace {

// Sizes of the structs as ABI 1.0 defined them: the least a 1.x plugin may provide.
constexpr size_t kInfoV1_0 = offsetof(veil_plugin_info, vtable) + sizeof(void*);
constexpr size_t kBackendV1_0Required = offsetof(veil_backend_vtable, session_rewind) + sizeof(void*);
constexpr size_t kTeeV1_0Required = offsetof(veil_tee_vtable, verify) + sizeof(void*);
constexpr size_t kTransportV1_0Required = offsetof(veil_transport_vtable, close) + sizeof(void*);

// Why a plugin was refused; caught in PluginHost::load and recorded.
struct Refusal {
    std::string reason;
};

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    void release() { fd_ = -1; }

private:
    int fd_;
};

// Copies the first min(declared, sizeof(T)) bytes of a plugin-owned struct; the rest stays zero,
// which is how slots appended in a newer minor read as "absent" for an older plugin.
template <class T>
T copy_prefix(const void* src, size_t declared) {
    T out{};
    std::memcpy(&out, src, std::min(declared, sizeof(T)));
    return out;
}

std::string hex64(uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

void check_vtable(Plugin& p, const void* vtable) {
    size_t declared = 0;
    std::memcpy(&declared, vtable, sizeof(size_t));
    auto too_small = [&](size_t needed) {
        if (declared < needed)
            throw Refusal{"has a " + std::string(kind_name(p.kind)) + " vtable struct_size of " + std::to_string(declared) +
                          " is smaller than ABI 1.0's " + std::to_string(needed) + " (truncated or corrupt)"};
    };
    auto require = [&](const void* slot, const char* name) {
        if (slot == nullptr)
            throw Refusal{"leaves the required " + std::string(kind_name(p.kind)) + " vtable slot '" + name +
                          "' empty"};
    };
    switch (p.kind) {
        case VEIL_KIND_BACKEND: {
            too_small(kBackendV1_0Required);
            p.backend = copy_prefix<veil_backend_vtable>(vtable, declared);
            const auto& v = p.backend;
            require(reinterpret_cast<const void*>(v.load), "load");
            require(reinterpret_cast<const void*>(v.unload), "unload");
            require(reinterpret_cast<const void*>(v.model_info), "model_info");
            require(reinterpret_cast<const void*>(v.session_create), "session_create");
            require(reinterpret_cast<const void*>(v.session_destroy), "session_destroy");
            require(reinterpret_cast<const void*>(v.eval), "eval");
            require(reinterpret_cast<const void*>(v.session_position), "session_position");
            require(reinterpret_cast<const void*>(v.session_rewind), "session_rewind");
            break;
        }
        case VEIL_KIND_TEE: {
            too_small(kTeeV1_0Required);
            p.tee = copy_prefix<veil_tee_vtable>(vtable, declared);
            require(reinterpret_cast<const void*>(p.tee.epc_bytes), "epc_bytes");
            require(reinterpret_cast<const void*>(p.tee.get_evidence), "get_evidence");
            require(reinterpret_cast<const void*>(p.tee.verify), "verify");
            break;
        }
        case VEIL_KIND_TRANSPORT: {
            too_small(kTransportV1_0Required);
            p.transport = copy_prefix<veil_transport_vtable>(vtable, declared);
            require(p.transport.schemes, "schemes");
            require(reinterpret_cast<const void*>(p.transport.listen), "listen");
            require(reinterpret_cast<const void*>(p.transport.accept), "accept");
            require(reinterpret_cast<const void*>(p.transport.close), "close");
            break;
        }
        default: break;
    }
}

// Validates what veil_plugin_query returned and fills `p`. Fields at offsets 0..23 (magic,
// struct_size, abi_major, abi_minor) have the same place in every ABI major, so a plugin from a
// future major is recognised as such rather than as garbage.
void accept_info(Plugin& p, const veil_plugin_info* raw) {
    if (raw == nullptr) throw Refusal{"returned NULL from veil_plugin_query"};
    if (raw->magic != VEIL_PLUGIN_MAGIC)
        throw Refusal{"has bad magic " + hex64(raw->magic) + " (expected " + hex64(VEIL_PLUGIN_MAGIC) +
                      ") — not a Veil plugin, or a corrupt one"};
    p.abi_major = raw->abi_major;
    p.abi_minor = raw->abi_minor;
    if (raw->abi_major != VEIL_ABI_MAJOR)
        throw Refusal{"was built against Veil SDK ABI " + p.abi() + "; this host supports ABI " +
                      std::to_string(VEIL_ABI_MAJOR) + ".x — rebuild it against SDK " + std::to_string(VEIL_ABI_MAJOR) +
                      ".x"};
    if (raw->struct_size < kInfoV1_0)
        throw Refusal{"has a plugin info struct_size of " + std::to_string(raw->struct_size) + " is smaller than ABI 1.0's " +
                      std::to_string(kInfoV1_0) + " (truncated or corrupt)"};
    p.info = copy_prefix<veil_plugin_info>(raw, raw->struct_size);
    const veil_plugin_info& i = p.info;
    p.kind = i.kind;
    p.capabilities = i.capabilities;
    if (i.kind != VEIL_KIND_BACKEND && i.kind != VEIL_KIND_TEE && i.kind != VEIL_KIND_TRANSPORT)
        throw Refusal{"declares an unknown plugin kind " + std::to_string(i.kind)};
    if (i.name == nullptr || i.version == nullptr) throw Refusal{"has no name or version in its plugin info"};
    p.version = i.version;
    if (p.spec.name != i.name)
        throw Refusal{"is plugin '" + std::string(i.name) + "', not '" + p.spec.name +
                      "' — check the name or path in the configuration"};
    if (i.probe == nullptr || i.create == nullptr || i.destroy == nullptr || i.vtable == nullptr)
        throw Refusal{"leaves probe, create, destroy or vtable empty in its plugin info"};
    check_vtable(p, i.vtable);
}

std::string describe_current_exception() {
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "a non-standard exception";
    }
}

void load_into(Plugin& p) {
    // Hash and load the same open file (through /proc/self/fd), so the file that was checked is
    // the file that runs even if the path is replaced in between.
    // O_NONBLOCK: a FIFO in the plugin's place must not block the host (it is refused below).
    int raw_fd = ::open(p.spec.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (raw_fd < 0) throw Refusal{std::string("cannot be opened: ") + std::strerror(errno)};
    Fd fd(raw_fd);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) throw Refusal{"is not a regular file"};
    try {
        p.sha256 = sha256_hex_of_fd(fd.get(), p.spec.display_path);
    } catch (const std::exception& e) {
        throw Refusal{e.what()};
    }
    if (p.spec.sha256 && *p.spec.sha256 != p.sha256)
        throw Refusal{"does not match its sha256 pin: the configuration pins " + *p.spec.sha256 +
                      " but the file has " + p.sha256 + "; refusing to load it"};

    std::string fd_path = "/proc/self/fd/" + std::to_string(fd.get());
    dlerror();
    void* handle = ::dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
        // The loader knows this object by the name "/proc/self/fd/N". Closing the fd would let a
        // later plugin reuse N, and dlopen would then return *this* object for that name. Plugins
        // are never unloaded, so the descriptor stays open with them.
        fd.release();
    } else {
        const char* err = dlerror();
        std::string msg = err ? err : "unknown dlopen error";
        // dlerror names the /proc path; the user knows the file by its configured path.
        if (auto pos = msg.find(fd_path + ": "); pos != std::string::npos) msg.erase(pos, fd_path.size() + 2);
        throw Refusal{"cannot be loaded (dlopen): " + msg};
    }
    // From here on the handle is intentionally never closed (see ~PluginHost).
    auto query = reinterpret_cast<veil_plugin_query_fn>(::dlsym(handle, VEIL_PLUGIN_QUERY_SYMBOL));
    if (query == nullptr) throw Refusal{"does not export " VEIL_PLUGIN_QUERY_SYMBOL "() — is it a Veil plugin?"};

    const veil_plugin_info* raw = nullptr;
    try {
        raw = query();
    } catch (...) {
        throw Refusal{"threw from veil_plugin_query: " + describe_current_exception()};
    }
    accept_info(p, raw);

    const HostApi* host = &HostApi::create_for_process(p.spec.name);  // lives for the process, like the mapping
    p.host = host;
    veil_error* reason = nullptr;
    try {
        p.probe_score = p.info.probe(host->api(), p.spec.config_json.c_str(), &reason);
    } catch (...) {
        throw Refusal{"threw from probe: " + describe_current_exception()};
    }
    ErrorPtr owned_reason(reason);
    // A configuration the plugin rejects is the deployment's mistake, not this machine's limit.
    if (p.probe_score == 0 && owned_reason && owned_reason->code == VEIL_ERR_INVALID_ARGUMENT)
        throw Refusal{"rejects its configuration: " + owned_reason->message};
    if (p.probe_score == 0) {
        p.status = PluginStatus::Unusable;
        p.reason = owned_reason ? owned_reason->message : "probe returned 0 without a reason";
        return;
    }
    void* instance = nullptr;
    veil_error* err = nullptr;
    try {
        err = p.info.create(host->api(), p.spec.config_json.c_str(), &instance);
    } catch (...) {
        throw Refusal{"threw from create: " + describe_current_exception() + " (refused; the host carries on)"};
    }
    if (err != nullptr) {
        ErrorPtr owned(err);
        throw Refusal{"failed to create: " + owned->message};
    }
    if (instance == nullptr) throw Refusal{"returned no instance from create"};
    p.instance = instance;
    p.status = PluginStatus::Ready;
}

}  // namespace

PluginHost::~PluginHost() {
    for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
        Plugin& p = **it;
        if (p.instance == nullptr) continue;
        try {
            p.info.destroy(p.instance);
        } catch (...) {
            spdlog::error("{}: destroy threw: {}", p.label(), describe_current_exception());
        }
        p.instance = nullptr;
    }
}

Plugin& PluginHost::load(const PluginSpec& spec) {
    auto p = std::make_unique<Plugin>();
    p->spec = spec;
    try {
        load_into(*p);
    } catch (const Refusal& r) {
        p->status = PluginStatus::Refused;
        p->reason = r.reason;
        p->instance = nullptr;
    }
    if (p->status == PluginStatus::Ready)
        spdlog::info("{}: loaded {} {} (ABI {}, probe {})", p->label(), kind_name(p->kind), p->version, p->abi(),
                     p->probe_score);
    else if (p->status == PluginStatus::Unusable)
        spdlog::warn("{}", p->message());  // "... is unusable here: <reason>"
    else
        spdlog::warn("{} ({})", p->message(), to_string(p->status));
    plugins_.push_back(std::move(p));
    return *plugins_.back();
}

void PluginHost::load_all(const std::vector<PluginSpec>& specs) {
    for (const auto& s : specs) load(s);
}

Plugin* PluginHost::find(const std::string& name) const {
    for (const auto& p : plugins_)
        if (p->spec.name == name) return p.get();
    return nullptr;
}

std::vector<Plugin*> PluginHost::ready(veil_plugin_kind kind) const {
    std::vector<Plugin*> out;
    for (const auto& p : plugins_)
        if (p->status == PluginStatus::Ready && p->kind == static_cast<uint32_t>(kind)) out.push_back(p.get());
    std::stable_sort(out.begin(), out.end(), [](Plugin* a, Plugin* b) { return a->probe_score > b->probe_score; });
    return out;
}

}  // namespace veil
