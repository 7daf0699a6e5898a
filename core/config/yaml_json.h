// Converts a YAML subtree to JSON text — how a plugin's `config:` section reaches the plugin.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace veil {

// Plain scalars become JSON booleans / integers / numbers when YAML would read them so
// (true/false, 42, 0.5); quoted scalars and everything else stay strings; null stays null.
std::string yaml_to_json(const YAML::Node& node);

}  // namespace veil
