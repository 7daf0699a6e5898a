#include "tee_test_util.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

#include "veil/tee_common/bytes.hpp"

// The host owns veil_error; the test host defines it.
struct veil_error {
    veil_error_code code;
    std::string message;
};

namespace veil::test {

namespace {
void host_log(void*, veil_log_level, const char*) {}
veil_error* host_error_new(void*, veil_error_code code, const char* message) {
    return new veil_error{code, message ? message : ""};
}
void host_error_free(void*, veil_error* e) { delete e; }
void* host_alloc(void*, size_t size, size_t alignment) {
    if (alignment == 0) alignment = 64;
    size_t rounded = (size + alignment - 1) / alignment * alignment;
    return std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
}
void host_free(void*, void* p) { std::free(p); }

CallResult take(veil_error* e) {
    CallResult r;
    if (e != nullptr) {
        r.code = e->code;
        r.message = e->message;
        delete e;
    }
    return r;
}
}  // namespace

const veil_host_api* test_host() {
    static const veil_host_api api = {sizeof(veil_host_api), VEIL_ABI_MAJOR, VEIL_ABI_MINOR, nullptr, host_log,
                                      host_error_new, host_error_free, host_alloc, host_free};
    return &api;
}

static const veil_plugin_info* load(const char* path, void** handle) {
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (*handle == nullptr) throw std::runtime_error(std::string("dlopen failed: ") + dlerror());
    auto query = reinterpret_cast<veil_plugin_query_fn>(dlsym(*handle, VEIL_PLUGIN_QUERY_SYMBOL));
    if (query == nullptr) throw std::runtime_error("no veil_plugin_query");
    const veil_plugin_info* info = query();
    if (info == nullptr || info->magic != VEIL_PLUGIN_MAGIC || info->kind != VEIL_KIND_TEE)
        throw std::runtime_error("not a TEE plugin");
    return info;
}

TeePlugin::TeePlugin(const char* path, const std::string& config_json) {
    info_ = load(path, &handle_);
    vt_ = static_cast<const veil_tee_vtable*>(info_->vtable);
    CallResult r = take(info_->create(test_host(), config_json.c_str(), &instance_));
    if (!r.ok()) {
        dlclose(handle_);
        throw std::runtime_error("create failed: " + r.message);
    }
}

TeePlugin::~TeePlugin() {
    if (instance_) info_->destroy(instance_);
    if (handle_) dlclose(handle_);
}

uint32_t TeePlugin::probe(const char* path, const std::string& config_json, std::string& reason) {
    void* handle = nullptr;
    const veil_plugin_info* info = load(path, &handle);
    veil_error* err = nullptr;
    uint32_t score = info->probe(test_host(), config_json.c_str(), &err);
    reason = err ? err->message : "";
    delete err;
    dlclose(handle);
    return score;
}

CallResult TeePlugin::verify(const Bytes& evidence, const std::string& format, const uint8_t* expected_rd,
                             const std::string& policy, std::string* claims) {
    char* out = nullptr;
    CallResult r = take(vt_->verify(instance_, evidence.data(), evidence.size(), format.c_str(), expected_rd,
                                    policy.c_str(), &out));
    if (r.ok() && claims) *claims = out;
    std::free(out);
    return r;
}

CallResult TeePlugin::get_evidence(const uint8_t rd[64], Bytes& evidence, std::string& format) {
    veil_buffer buf{nullptr, 0};
    char* fmt = nullptr;
    CallResult r = take(vt_->get_evidence(instance_, rd, &buf, &fmt));
    if (r.ok()) {
        evidence.assign(buf.data, buf.data + buf.size);
        format = fmt;
    }
    std::free(buf.data);
    std::free(fmt);
    return r;
}

CallResult TeePlugin::epc(uint64_t& bytes) { return take(vt_->epc_bytes(instance_, &bytes)); }

Bytes read_testdata(const std::string& relative) {
    std::ifstream in(std::string(VEIL_TESTDATA_DIR) + "/" + relative, std::ios::binary);
    if (!in) throw std::runtime_error("missing test data " + relative);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string read_testdata_text(const std::string& relative) {
    Bytes b = read_testdata(relative);
    return std::string(b.begin(), b.end());
}

std::string base64(const Bytes& b) { return veil::tee::base64_encode(b); }

TempDir::TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("veil-tee-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
}
TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}
void TempDir::write(const std::string& relative, const Bytes& data) const {
    auto p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}
void TempDir::write(const std::string& relative, const std::string& text) const {
    write(relative, Bytes(text.begin(), text.end()));
}
Bytes TempDir::read(const std::string& relative) const {
    std::ifstream in(path_ / relative, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace veil::test
