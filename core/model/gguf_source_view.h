// What a veil_model_source needs from a GGUF header alone: the C tensor table, metadata lookup
// and the range check every read starts with. Shared by the plain (GgufModelSource) and sealed
// (SealedModelSource) sources, which differ only in how bytes are read.
#pragma once

#include <exception>
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

// The C slots meta_get and read of a veil_model_source whose ctx is a `Source` with members
// `view_` (GgufSourceView), `make_error_` (veil_error* (veil_error_code, const std::string&)) and
// `read(tensor_index, offset, dst, size, flags)`. No exception crosses the C ABI: one thrown by a
// read becomes an error value. Source declares `friend struct ModelSourceSlots<Source>`.
template <class Source>
struct ModelSourceSlots {
    static void meta_get(void* ctx, const char* key, veil_meta_value* out) noexcept {
        if (ctx == nullptr) {
            if (out) *out = veil_meta_value{};
            return;
        }
        static_cast<const Source*>(ctx)->view_->meta_get(key, out);
    }

    static veil_error* read(void* ctx, size_t tensor_index, uint64_t offset, void* dst, size_t size,
                            uint32_t flags) noexcept {
        const auto* self = static_cast<const Source*>(ctx);
        try {
            return self->read(tensor_index, offset, dst, size, flags);
        } catch (const std::exception& e) {
            return self->make_error_(VEIL_ERR_INTERNAL, std::string("model read: ") + e.what());
        } catch (...) {
            return self->make_error_(VEIL_ERR_INTERNAL, "model read: unknown exception");
        }
    }
};

}  // namespace veil
