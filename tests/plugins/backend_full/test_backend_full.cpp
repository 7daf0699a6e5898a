// backend_full as the host sees it: dlopen the built plugin, drive it only through the C ABI
// (veil_plugin_info + veil_backend_vtable) with a minimal host API, and check a llama.cpp
// reference end to end.
#include <dlfcn.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "test_llama_proxy.h"
#include "test_llama_support.h"  // includes core's host_api.h, which defines struct veil_error
#include "veil/backend.h"

namespace veil::test {
namespace {

struct TestHost {
    std::mutex mu;
    std::vector<std::string> logs;
    veil_host_api api{};

    TestHost() {
        api.struct_size = sizeof(api);
        api.abi_major = VEIL_ABI_MAJOR;
        api.abi_minor = VEIL_ABI_MINOR;
        api.host_ctx = this;
        api.log = [](void* ctx, veil_log_level, const char* msg) {
            auto* h = static_cast<TestHost*>(ctx);
            std::lock_guard<std::mutex> lock(h->mu);
            h->logs.emplace_back(msg);
        };
        // Errors come from core's factory so the model source's errors and the plugin's are one kind.
        api.error_new = [](void*, veil_error_code code, const char* msg) { return HostApi::new_error(code, msg); };
        api.error_free = [](void*, veil_error* e) { ErrorDeleter()(e); };
        api.alloc = [](void*, size_t size, size_t align) -> void* {
            if (align == 0) align = 64;
            return std::aligned_alloc(align, (size + align - 1) / align * align);
        };
        api.free = [](void*, void* p) { std::free(p); };
    }
};

// Takes ownership of a returned error; empty string on success.
struct Err {
    veil_error_code code = VEIL_ERR_GENERIC;
    std::string message;
    bool ok = true;
};
Err take(veil_error* e) {
    Err r;
    if (e != nullptr) {
        r = {e->code, e->message, false};
        ErrorDeleter()(e);
    }
    return r;
}

class Plugin {
public:
    explicit Plugin(const char* config = "{}") {
        handle_ = dlopen(VEIL_BACKEND_FULL_SO, RTLD_NOW | RTLD_LOCAL);
        if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
        auto query = reinterpret_cast<veil_plugin_query_fn>(dlsym(handle_, VEIL_PLUGIN_QUERY_SYMBOL));
        if (query == nullptr) throw std::runtime_error("no veil_plugin_query");
        info = query();
        vt = static_cast<const veil_backend_vtable*>(info->vtable);
        Err e = take(info->create(&host.api, config, &instance));
        if (!e.ok) throw std::runtime_error("create: " + e.message);
    }
    ~Plugin() {
        if (instance) info->destroy(instance);
        // Never dlclose: plugins are not unloaded while the process runs (as in the host).
    }
    Err load(const veil_model_source& src, const char* options, void** model) {
        return take(vt->load(instance, &src, options, model));
    }

    TestHost host;
    void* handle_ = nullptr;
    const veil_plugin_info* info = nullptr;
    const veil_backend_vtable* vt = nullptr;
    void* instance = nullptr;
};

double min_cosine_through_abi(Plugin& p, void* model, const Reference& ref) {
    void* session = nullptr;
    EXPECT_TRUE(take(p.vt->session_create(model, 0, &session)).ok);
    std::vector<float> logits(ref.steps[0].logits.size());
    EXPECT_TRUE(take(p.vt->eval(session, ref.prompt.data(), ref.prompt.size(), logits.data())).ok);
    double min_cos = cosine(logits, ref.steps[0].logits);
    for (size_t k = 1; k < ref.steps.size(); ++k) {
        const int32_t tok = ref.steps[k - 1].argmax;
        EXPECT_TRUE(take(p.vt->eval(session, &tok, 1, logits.data())).ok);
        min_cos = std::min(min_cos, cosine(logits, ref.steps[k].logits));
        EXPECT_EQ(argmax(logits.data(), logits.size()), ref.steps[k].argmax) << "step " << k;
    }
    EXPECT_EQ(p.vt->session_position(session), ref.prompt.size() + ref.steps.size() - 1);
    p.vt->session_destroy(session);
    return min_cos;
}

TEST(LlamaBackendFullPlugin, DescribesItself) {
    Plugin p;
    EXPECT_EQ(p.info->magic, VEIL_PLUGIN_MAGIC);
    EXPECT_EQ(p.info->abi_major, static_cast<uint32_t>(VEIL_ABI_MAJOR));
    EXPECT_EQ(p.info->kind, static_cast<uint32_t>(VEIL_KIND_BACKEND));
    EXPECT_STREQ(p.info->name, "backend_full");
    EXPECT_TRUE(p.info->capabilities & VEIL_CAP_BACKEND_FULL_RESIDENT);
    veil_error* reason = nullptr;
    EXPECT_GT(p.info->probe(&p.host.api, "{}", &reason), 0u);
    EXPECT_EQ(reason, nullptr);
    EXPECT_EQ(p.vt->struct_size, sizeof(veil_backend_vtable));
}

TEST(LlamaBackendFullPlugin, Stories260KReferenceThroughCAbi) {
    const Reference ref = load_reference(testdata_dir() / "reference" / "stories260K.once.jsonl");
    auto gguf = open_gguf(ref.model);
    // Through a proxy that offers no map(): the plugin must fall back to read().
    ProxySource no_map(*gguf->abi());
    Plugin p;
    void* model = nullptr;
    Err e = p.load(no_map.abi(), R"({"threads":2})", &model);
    ASSERT_TRUE(e.ok) << e.message;

    veil_model_info info{};
    info.struct_size = sizeof(info);
    ASSERT_TRUE(take(p.vt->model_info(model, &info)).ok);
    EXPECT_EQ(info.n_vocab, 512u);
    EXPECT_EQ(info.n_ctx_train, 2048u);
    EXPECT_EQ(info.n_embd, 64u);
    EXPECT_EQ(info.n_layer, 5u);
    EXPECT_GT(info.weight_bytes, 0u);

    const double min_cos = min_cosine_through_abi(p, model, ref);
    std::printf("[plugin] %s through the C ABI: min cosine %.6f\n", ref.name.c_str(), min_cos);
    EXPECT_GE(min_cos, 0.999);

    char* json = nullptr;
    ASSERT_TRUE(take(p.vt->stats(model, &json)).ok);
    auto stats = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    p.host.api.free(nullptr, json);
    EXPECT_EQ(stats->getValue<uint64_t>("weight_bytes"), info.weight_bytes);
    EXPECT_EQ(stats->getValue<int>("threads"), 2);
    EXPECT_FALSE(stats->getValue<std::string>("isa").empty());
    p.vt->unload(model);
}

TEST(LlamaBackendFullPlugin, MappedSourceAndSessionErrors) {
    const Reference ref = load_reference(testdata_dir() / "reference" / "synth-d256-Q8_0.once.jsonl");
    auto gguf = open_gguf(ref.model);
    ASSERT_NE(gguf->abi()->map, nullptr);  // a plain file: the plugin copies from the mapping
    Plugin p;
    void* model = nullptr;
    ASSERT_TRUE(p.load(*gguf->abi(), "{}", &model).ok);

    void* session = nullptr;
    ASSERT_TRUE(take(p.vt->session_create(model, 8, &session)).ok);
    std::vector<float> logits(512);
    ASSERT_TRUE(take(p.vt->eval(session, ref.prompt.data(), ref.prompt.size(), logits.data())).ok);
    EXPECT_GE(cosine(logits, ref.steps[0].logits), 0.995);

    const int32_t four[4] = {10, 11, 12, 13};
    Err overflow = take(p.vt->eval(session, four, 4, logits.data()));
    EXPECT_FALSE(overflow.ok);
    EXPECT_EQ(overflow.code, VEIL_ERR_INVALID_ARGUMENT);
    EXPECT_NE(overflow.message.find("n_ctx of 8"), std::string::npos) << overflow.message;
    EXPECT_EQ(p.vt->session_position(session), ref.prompt.size());

    EXPECT_TRUE(take(p.vt->session_rewind(session, 1)).ok);
    EXPECT_EQ(p.vt->session_position(session), 1u);
    EXPECT_FALSE(take(p.vt->session_rewind(session, 2)).ok);
    const int32_t bad = 512;
    EXPECT_EQ(take(p.vt->eval(session, &bad, 1, nullptr)).code, VEIL_ERR_INVALID_ARGUMENT);
    p.vt->session_destroy(session);
    p.vt->unload(model);
}

TEST(LlamaBackendFullPlugin, BadOptionsAndModelsAreRefused) {
    auto gguf = open_gguf(testdata_dir() / "models" / "stories260K.gguf");
    Plugin p;
    void* model = nullptr;
    for (const char* opts : {R"({"threads":0})", R"({"threads":"two"})", R"({"mlock":1})", "[1,2]", "not json"}) {
        Err e = p.load(*gguf->abi(), opts, &model);
        EXPECT_FALSE(e.ok) << opts;
        EXPECT_EQ(e.code, VEIL_ERR_INVALID_ARGUMENT) << opts << ": " << e.message;
    }
    ProxySource proxy(*gguf->abi());
    proxy.remove_tensor("blk.4.ffn_down.weight");
    Err e = p.load(proxy.abi(), "{}", &model);
    EXPECT_EQ(e.code, VEIL_ERR_NOT_FOUND);
    EXPECT_NE(e.message.find("blk.4.ffn_down.weight"), std::string::npos) << e.message;
}

// A NaN or an infinity anywhere a weight can hold one fails the load, naming the tensor and the
// place: an F32 matrix element, a norm weight, a Q6_K block's scale.
TEST(LlamaBackendFullPlugin, NonFiniteWeightsAreRefusedByName) {
    struct Case {
        const char* model;
        const char* tensor;
        uint64_t at;
        std::vector<uint8_t> bytes;
        const char* expected;
    };
    const Case cases[] = {
        {"stories260K.gguf", "blk.2.attn_k.weight", (3 * 64 + 5) * 4, {0x00, 0x00, 0xc0, 0x7f},
         "tensor 'blk.2.attn_k.weight' (f32): row 3, element 5 is NaN"},
        {"stories260K.gguf", "blk.4.ffn_norm.weight", 63 * 4, {0x00, 0x00, 0x80, 0xff},
         "tensor 'blk.4.ffn_norm.weight' (f32): row 0, element 63 is Inf"},
        {"synth-d256-Q4_K_M.gguf", "output.weight", 511 * 210 + 208, {0x00, 0x7c},
         "tensor 'output.weight' (q6_K): row 511, block 0 (elements 0..255): its scale d is Inf"},
    };
    Plugin p;
    for (const Case& c : cases) {
        auto gguf = open_gguf(testdata_dir() / "models" / c.model);
        ProxySource proxy(*gguf->abi());
        proxy.patch(c.tensor, c.at, c.bytes);
        void* model = nullptr;
        Err e = p.load(proxy.abi(), "{}", &model);
        ASSERT_FALSE(e.ok) << c.tensor;
        EXPECT_EQ(e.code, VEIL_ERR_INVALID_ARGUMENT);
        EXPECT_NE(e.message.find(c.expected), std::string::npos) << e.message;
    }
}

TEST(LlamaBackendFullPlugin, ConfigurationGivesTheDefaultsLoadOptionsOverride) {
    auto gguf = open_gguf(testdata_dir() / "models" / "stories260K.gguf");
    Plugin p(R"({"threads":1})");
    auto threads_of = [&](const char* options) {
        void* model = nullptr;
        EXPECT_TRUE(p.load(*gguf->abi(), options, &model).ok) << options;
        char* json = nullptr;
        EXPECT_TRUE(take(p.vt->stats(model, &json)).ok);
        auto stats = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
        p.host.api.free(nullptr, json);
        p.vt->unload(model);
        return stats->getValue<int>("threads");
    };
    EXPECT_EQ(threads_of("{}"), 1);
    EXPECT_EQ(threads_of(R"({"threads":2})"), 2);
}

TEST(LlamaBackendFullPlugin, BadConfigurationIsRejectedByProbeAndCreate) {
    TestHost host;
    void* handle = dlopen(VEIL_BACKEND_FULL_SO, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr);
    auto info = reinterpret_cast<veil_plugin_query_fn>(dlsym(handle, VEIL_PLUGIN_QUERY_SYMBOL))();
    for (const char* config : {R"({"threads":"x"})", R"({"mlock":"yes"})", R"({"thread":2})", "[1]"}) {
        veil_error* reason = nullptr;
        EXPECT_EQ(info->probe(&host.api, config, &reason), 0u) << config;
        Err r = take(reason);
        EXPECT_EQ(r.code, VEIL_ERR_INVALID_ARGUMENT) << config << ": " << r.message;
        void* instance = nullptr;
        Err e = take(info->create(&host.api, config, &instance));
        EXPECT_EQ(e.code, VEIL_ERR_INVALID_ARGUMENT) << config << ": " << e.message;
        EXPECT_EQ(instance, nullptr);
    }
}

// Drops CAP_IPC_LOCK from the effective set so that RLIMIT_MEMLOCK applies even to root.
bool drop_ipc_lock() {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (syscall(SYS_capget, &hdr, data) != 0) return false;
    data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
    return syscall(SYS_capset, &hdr, data) == 0;
}

TEST(LlamaBackendFullPlugin, MlockFailureQuotesTheLimit) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer intercepts mlock() as a no-op, so it cannot fail here";
#endif
    // In a child process: the capability drop and the lowered limit must not leak into other tests.
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        struct rlimit tiny {};
        getrlimit(RLIMIT_MEMLOCK, &tiny);
        tiny.rlim_cur = 4096;  // cannot hold the ~1 MB of weights
        if (!drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &tiny) != 0) _exit(2);
        std::string msg;
        int code = 0;
        {
            auto gguf = open_gguf(testdata_dir() / "models" / "stories260K.gguf");
            Plugin p;
            void* model = nullptr;
            Err e = p.load(*gguf->abi(), R"({"mlock":true})", &model);
            if (e.ok) p.vt->unload(model);
            msg = e.ok ? std::string("loaded") : e.message;
            code = e.ok ? 3 : (e.code == VEIL_ERR_OUT_OF_MEMORY ? 0 : 4);
        }
        if (write(fds[1], msg.data(), msg.size()) < 0) _exit(5);
        _exit(code);
    }
    close(fds[1]);
    std::string msg;
    char buf[512];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_NE(WEXITSTATUS(status), 2) << "could not drop CAP_IPC_LOCK / lower RLIMIT_MEMLOCK";
    EXPECT_EQ(WEXITSTATUS(status), 0) << msg;
    std::printf("[mlock] %s\n", msg.c_str());
    EXPECT_NE(msg.find("RLIMIT_MEMLOCK soft 4096 bytes"), std::string::npos) << msg;
}

TEST(LlamaBackendFullPlugin, MlockWithinTheLimitLocks) {
    auto gguf = open_gguf(testdata_dir() / "models" / "stories260K.gguf");
    Plugin p;
    struct rlimit rl {};
    ASSERT_EQ(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
    void* model = nullptr;
    Err e = p.load(*gguf->abi(), R"({"mlock":true})", &model);
    if (!e.ok) {
        EXPECT_NE(e.message.find("RLIMIT_MEMLOCK"), std::string::npos) << e.message;
        GTEST_SKIP() << "RLIMIT_MEMLOCK too small here: " << e.message;
    }
    char* json = nullptr;
    ASSERT_TRUE(take(p.vt->stats(model, &json)).ok);
    EXPECT_NE(std::string(json).find("\"mlock\":true"), std::string::npos) << json;
    p.host.api.free(nullptr, json);
    p.vt->unload(model);
}

}  // namespace
}  // namespace veil::test
