#include "runtime/opened_model.h"

#include <stdexcept>

#include "model/gguf_model_source.h"
#include "plugin_host/host_api.h"
#include "sealed/seal_key.h"
#include "sealed/sealed_model_source.h"

namespace veil {

namespace {
veil_error* make_error(veil_error_code code, const std::string& message) { return HostApi::new_error(code, message); }
}  // namespace

std::unique_ptr<OpenedModel> OpenedModel::open(const ModelConfig& model) {
    std::unique_ptr<OpenedModel> m(new OpenedModel());
    if (model.format == "gguf") {
        m->plain_ = GgufModelSource::open(model.path, make_error);
    } else if (model.format == "sealed") {
        if (model.key_file)
            m->sealed_ = SealedModelSource::open(model.path, SealKey::from_file(*model.key_file), make_error);
        else if (model.key_env)
            m->sealed_ = SealedModelSource::open(model.path, SealKey::from_env(*model.key_env), make_error);
        else
            throw std::runtime_error("model '" + model.id + "' is sealed but has no key_file or key_env");
    } else {
        throw std::runtime_error("model '" + model.id + "': unknown format '" + model.format + "' (gguf or sealed)");
    }
    m->summarise();
    return m;
}

OpenedModel::~OpenedModel() = default;

const veil_model_source* OpenedModel::abi() const noexcept { return plain_ ? plain_->abi() : sealed_->abi(); }

const GgufFile& OpenedModel::gguf() const noexcept { return plain_ ? plain_->file() : sealed_->file(); }

void OpenedModel::summarise() {
    for (const auto& t : gguf().tensors()) {
        weight_bytes_ += t.n_bytes;
        const bool is_float = t.type == VEIL_TYPE_F32 || t.type == VEIL_TYPE_F16 || t.type == VEIL_TYPE_BF16;
        if (t.n_dims >= 2 && !is_float) quantized_ = true;
    }
}

}  // namespace veil
