#pragma once

#include <string>

namespace veil {

// Folder of the running `veil` executable (from /proc/self/exe).
std::string executable_dir();
// Where plugins are looked up when the configuration names no plugin_dir: <executable_dir>/plugins.
std::string default_plugin_dir();

}  // namespace veil
