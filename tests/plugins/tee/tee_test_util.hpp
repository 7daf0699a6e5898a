// Test harness: a minimal veil_host_api and a loader that drives a TEE plugin through its C ABI.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "veil/tee.h"

namespace veil::test {

using Bytes = std::vector<uint8_t>;

const veil_host_api* test_host();

struct CallResult {
    veil_error_code code = static_cast<veil_error_code>(0);  // 0 = success
    std::string message;
    bool ok() const { return code == 0; }
};

class TeePlugin {
public:
    TeePlugin(const char* path, const std::string& config_json);
    ~TeePlugin();
    TeePlugin(const TeePlugin&) = delete;
    TeePlugin& operator=(const TeePlugin&) = delete;

    const veil_plugin_info* info() const { return info_; }
    CallResult verify(const Bytes& evidence, const std::string& format, const uint8_t* expected_rd,
                      const std::string& policy, std::string* claims = nullptr);
    CallResult get_evidence(const uint8_t rd[64], Bytes& evidence, std::string& format);
    CallResult epc(uint64_t& bytes);

    // probe() without creating an instance.
    static uint32_t probe(const char* path, const std::string& config_json, std::string& reason);

private:
    void* handle_ = nullptr;
    const veil_plugin_info* info_ = nullptr;
    const veil_tee_vtable* vt_ = nullptr;
    void* instance_ = nullptr;
};

Bytes read_testdata(const std::string& relative);
std::string read_testdata_text(const std::string& relative);
std::string base64(const Bytes& b);

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    void write(const std::string& relative, const Bytes& data) const;
    void write(const std::string& relative, const std::string& text) const;
    Bytes read(const std::string& relative) const;

private:
    std::filesystem::path path_;
};

}  // namespace veil::test
