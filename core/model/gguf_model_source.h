// A GGUF file presented to backend plugins as a veil_model_source (veil/backend.h): tensor table,
// metadata lookup, bounds-checked reads and pointers into the host's read-only mapping.
//
// Error objects: read() must return a host-created veil_error*. Creating one is the plugin host's
// job (core/plugin_host), so this class does not depend on it: whoever opens a model passes an
// ErrorFactory — the plugin host passes veil::HostApi::new_error; tests pass a small lambda.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_file.h"
#include "model/gguf_source_view.h"
#include "veil/backend.h"

namespace veil {

class GgufModelSource {
public:
    using ErrorFactory = std::function<veil_error*(veil_error_code, const std::string&)>;

    // Opens and validates `path` (throws GgufError). `make_error` must be set; it is called from
    // any thread that calls read(), and must never return NULL.
    static std::unique_ptr<GgufModelSource> open(const std::string& path, ErrorFactory make_error);
    ~GgufModelSource();
    GgufModelSource(const GgufModelSource&) = delete;
    GgufModelSource& operator=(const GgufModelSource&) = delete;

    // The C view; valid (and unchanged) as long as this object lives.
    const veil_model_source* abi() const noexcept { return &abi_; }
    // The parsed file, for host code such as the tokenizer.
    const GgufFile& file() const noexcept { return *file_; }
    const std::string& model_id() const noexcept { return model_id_; }

private:
    GgufModelSource() = default;
    friend struct ModelSourceSlots<GgufModelSource>;
    static const void* map_slot(void* ctx, size_t tensor_index) noexcept;
    veil_error* read(size_t tensor_index, uint64_t offset, void* dst, size_t size, uint32_t flags) const;
    // Reads bypassing or dropping the page cache; false when neither pread path worked.
    bool read_nocache(uint64_t file_offset, void* dst, size_t size, std::string& err) const;
    // O_DIRECT through an aligned per-thread buffer, for ranges that are not block aligned; false
    // when the file system refuses it.
    bool read_direct_bounced(uint64_t file_offset, uint8_t* dst, size_t size) const;

    std::unique_ptr<GgufFile> file_;
    ErrorFactory make_error_;
    std::string path_, model_id_;
    std::unique_ptr<GgufSourceView> view_;  // tensor table and metadata of the C view
    int fd_ = -1;         // plain descriptor for pread + fadvise
    int direct_fd_ = -1;  // O_DIRECT descriptor, -1 when the file system refuses it
    veil_model_source abi_{};
};

}  // namespace veil
