// Opening configured models: which file, which format, its weight bytes, its pinned hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"

namespace veil {

// The configured model `id` (default: the first), or an ad-hoc model for `path` (id = file stem).
// Throws std::runtime_error when the id is unknown or no model is configured.
ModelConfig select_model(const Config& config, const std::optional<std::string>& id,
                         const std::optional<std::string>& path);

// Sum of the tensor table's byte sizes, read from the model's header only.
uint64_t model_weight_bytes(const ModelConfig& model);

// Hashes the model file (streamed, bounded memory) and compares with model.sha256 when pinned.
// Returns the hash. Throws std::runtime_error with expected and actual hashes on a mismatch.
std::string verify_model_pin(const ModelConfig& model);

}  // namespace veil
