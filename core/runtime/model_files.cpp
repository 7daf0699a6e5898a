#include "runtime/model_files.h"

#include <filesystem>
#include <stdexcept>

#include "runtime/opened_model.h"
#include "util/sha256.h"

namespace veil {

ModelConfig select_model(const Config& config, const std::optional<std::string>& id,
                         const std::optional<std::string>& path) {
    if (path) {
        ModelConfig m;
        m.path = std::filesystem::absolute(*path).lexically_normal().string();
        m.id = std::filesystem::path(*path).stem().string();
        m.from_command_line = true;
        if (m.path.size() > 5 && m.path.substr(m.path.size() - 5) == ".veil") m.format = "sealed";
        return m;
    }
    if (config.models.empty()) throw std::runtime_error(config.file + ": no models are configured (models: is empty)");
    if (!id) return config.models.front();
    for (const auto& m : config.models)
        if (m.id == *id) return m;
    std::string ids;
    for (const auto& m : config.models) ids += (ids.empty() ? "" : ", ") + m.id;
    throw std::runtime_error("model '" + *id + "' is not in " + config.file + " (configured: " + ids + ")");
}

uint64_t model_weight_bytes(const ModelConfig& model) { return OpenedModel::open(model)->weight_bytes(); }

std::string verify_model_pin(const ModelConfig& model) {
    std::string actual = sha256_hex_of_file(model.path);
    if (model.sha256 && *model.sha256 != actual)
        throw std::runtime_error("model '" + model.id + "' (" + model.path + ") does not match its sha256 pin: expected " +
                                 *model.sha256 + ", file has " + actual + "; refusing to serve it");
    return actual;
}

}  // namespace veil
