// A sealed model presented to backend plugins as a veil_model_source (veil/backend.h), like
// GgufModelSource for plain files: the same metadata and tensor table, but read() decrypts on
// demand only the chunks covering the requested range, and map is NULL (never offered), so a
// streaming backend holds no more plaintext than the window it reads.
//
// Plaintext the source itself holds (a partly used chunk) is zeroized before it is released; the
// per-file keys live in locked memory and are zeroized when the source is destroyed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_file.h"
#include "model/gguf_source_view.h"
#include "sealed/seal_key.h"
#include "sealed/sealed_file.h"
#include "veil/backend.h"

namespace veil {

class SealedModelSource {
public:
    using ErrorFactory = std::function<veil_error*(veil_error_code, const std::string&)>;

    struct Stats {
        uint64_t reads = 0;             // read() calls that decrypted something
        uint64_t chunks_decrypted = 0;  // chunk decryptions (a chunk read twice counts twice)
        uint64_t bytes_returned = 0;    // plaintext bytes copied to callers
    };

    // Opens and authenticates `path` (throws SealError, or GgufError for a malformed GGUF header
    // region). `make_error` must be set; it is called from any thread that calls read(), and must
    // never return NULL. The key may be destroyed once open returns.
    static std::unique_ptr<SealedModelSource> open(const std::string& path, const SealKey& key, ErrorFactory make_error);
    SealedModelSource(const SealedModelSource&) = delete;
    SealedModelSource& operator=(const SealedModelSource&) = delete;

    const veil_model_source* abi() const noexcept { return &abi_; }
    // Metadata and tensor table only: the data section is not in memory, so never call
    // tensor_data() on it — use abi()->read.
    const GgufFile& file() const noexcept { return *gguf_; }
    const SealedFile& sealed() const noexcept { return *sealed_; }
    const std::string& model_id() const noexcept { return model_id_; }
    Stats stats() const noexcept;

private:
    SealedModelSource() = default;
    friend struct ModelSourceSlots<SealedModelSource>;
    veil_error* read(size_t tensor_index, uint64_t offset, void* dst, size_t size, uint32_t flags) const;
    // Decrypts data-section bytes [begin, begin + size) into dst; throws SealError.
    void read_data(uint64_t begin, uint8_t* dst, size_t size, bool nocache) const;

    std::unique_ptr<SealedFile> sealed_;
    std::unique_ptr<GgufFile> gguf_;  // views into sealed_->gguf_header()
    ErrorFactory make_error_;
    std::string model_id_;
    std::unique_ptr<GgufSourceView> view_;  // tensor table and metadata of the C view
    veil_model_source abi_{};
    mutable std::atomic<uint64_t> reads_{0}, bytes_returned_{0};
};

}  // namespace veil
