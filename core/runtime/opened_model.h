// A model file opened as a veil_model_source: a plain GGUF, or a sealed model decrypted on read.
// Either way the host sees the same metadata and tensor table, and backends see the same C view.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.h"
#include "gguf/gguf_file.h"
#include "veil/backend.h"

namespace veil {

class GgufModelSource;
class SealedModelSource;

class OpenedModel {
public:
    // Opens model.path as model.format ("gguf" or "sealed"; sealed reads its key from
    // model.key_file or model.key_env). Throws std::runtime_error (GgufError, SealError) naming
    // the file and what is wrong.
    static std::unique_ptr<OpenedModel> open(const ModelConfig& model);
    ~OpenedModel();

    const veil_model_source* abi() const noexcept;
    // Metadata and tensor table (for a sealed model the data section is not in memory).
    const GgufFile& gguf() const noexcept;
    uint64_t weight_bytes() const noexcept { return weight_bytes_; }
    // "F32" when every matrix is float32/float16/bfloat16, else "quantized".
    bool quantized() const noexcept { return quantized_; }

private:
    OpenedModel() = default;
    void summarise();

    std::unique_ptr<GgufModelSource> plain_;
    std::unique_ptr<SealedModelSource> sealed_;
    uint64_t weight_bytes_ = 0;
    bool quantized_ = false;
};

}  // namespace veil
