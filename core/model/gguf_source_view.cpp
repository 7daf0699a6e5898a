#include "model/gguf_source_view.h"

namespace veil {

namespace {

veil_meta_kind kind_of(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8:
        case GgufValueType::UINT16:
        case GgufValueType::UINT32:
        case GgufValueType::UINT64: return VEIL_META_UINT;
        case GgufValueType::INT8:
        case GgufValueType::INT16:
        case GgufValueType::INT32:
        case GgufValueType::INT64: return VEIL_META_INT;
        case GgufValueType::FLOAT32:
        case GgufValueType::FLOAT64: return VEIL_META_FLOAT;
        case GgufValueType::BOOL: return VEIL_META_BOOL;
        case GgufValueType::STRING: return VEIL_META_STRING;
        case GgufValueType::ARRAY: return VEIL_META_ARRAY;
    }
    return VEIL_META_NONE;
}

}  // namespace

GgufSourceView::GgufSourceView(const GgufFile& file) : file_(file) {
    const auto& tensors = file.tensors();
    names_.reserve(tensors.size());
    descs_.reserve(tensors.size());
    for (const auto& t : tensors) {
        names_.emplace_back(t.name);
        veil_tensor_desc d{};
        d.type = t.type;
        d.n_dims = t.n_dims;
        for (int k = 0; k < VEIL_MAX_DIMS; ++k) d.dims[k] = t.dims[k];
        d.n_bytes = t.n_bytes;
        d.offset = t.offset;
        descs_.push_back(d);
    }
    // Names are taken after the vector stopped growing so the c_str() pointers stay put.
    for (size_t k = 0; k < descs_.size(); ++k) descs_[k].name = names_[k].c_str();
    for (const auto& kv : file.metadata())
        if (kv.value.type == GgufValueType::STRING) strings_.emplace(std::string(kv.key), std::string(kv.value.str));
}

void GgufSourceView::meta_get(const char* key, veil_meta_value* out) const noexcept {
    if (!out) return;
    *out = veil_meta_value{};
    out->kind = VEIL_META_NONE;
    if (!key) return;
    const GgufValue* v = file_.find(key);
    if (!v) return;
    out->kind = kind_of(v->type);
    switch (out->kind) {
        case VEIL_META_UINT:
        case VEIL_META_BOOL: out->u = v->u; break;
        case VEIL_META_INT: out->i = v->i; break;
        case VEIL_META_FLOAT: out->f = v->f; break;
        case VEIL_META_STRING: {
            auto it = strings_.find(key);
            out->str = it->second.c_str();
            out->str_len = it->second.size();
            break;
        }
        case VEIL_META_ARRAY:
            out->array_elem_kind = kind_of(v->elem_type);
            out->array_len = v->count;
            break;
        default: break;
    }
}

std::optional<std::string> GgufSourceView::read_error(const std::string& model_id, size_t tensor_index,
                                                      uint64_t offset, size_t size, const void* dst) const {
    if (tensor_index >= descs_.size())
        return model_id + ": read of tensor #" + std::to_string(tensor_index) + ", but the model has " +
               std::to_string(descs_.size()) + " tensors";
    const veil_tensor_desc& d = descs_[tensor_index];
    if (offset > d.n_bytes || size > d.n_bytes - offset)
        return model_id + ": read of tensor '" + d.name + "' bytes [" + std::to_string(offset) + ", +" +
               std::to_string(size) + ") is outside its " + std::to_string(d.n_bytes) + " bytes";
    if (size != 0 && !dst) return model_id + ": read into a NULL buffer";
    return std::nullopt;
}

}  // namespace veil
