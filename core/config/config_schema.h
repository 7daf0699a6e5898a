// The schema of conf/veil.yaml. Adding a key: add it here, to Config, to load_config and to the
// documented example in conf/veil.yaml.
#pragma once

#include "config/schema.h"

namespace veil {

const Schema& config_schema();

}  // namespace veil
