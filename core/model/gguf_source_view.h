// What a veil_model_source needs from a GGUF header alone: the C tensor table, metadata lookup
// and the range check every read starts with. Shared by the plain (GgufModelSource) and sealed
// (SealedModelSource) sources, which differ only in how bytes are read.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_file.h"
#include "veil/backend.h"

namespace veil {

class GgufSourceView {
public:
    // `file` must outlive the view.
    explicit GgufSourceView(const GgufFile& file);
    GgufSourceView(const GgufSourceView&) = delete;
    GgufSourceView& operator=(const GgufSourceView&) = delete;

    const std::vector<veil_tensor_desc>& tensors() const noexcept { return descs_; }
    // veil_model_source.meta_get for this file.
    void meta_get(const char* key, veil_meta_value* out) const noexcept;
    // Why a read of `size` bytes at `offset` of tensor `tensor_index` into `dst` is invalid, or
    // nullopt when it is fine. `model_id` names the model in the message.
    std::optional<std::string> read_error(const std::string& model_id, size_t tensor_index, uint64_t offset,
                                          size_t size, const void* dst) const;

private:
    const GgufFile& file_;
    std::vector<std::string> names_;  // NUL-terminated copies for veil_tensor_desc.name
    std::vector<veil_tensor_desc> descs_;
    std::unordered_map<std::string, std::string> strings_;  // NUL-terminated string values
};

}  // namespace veil
