// Process-wide logging: spdlog to stderr (stdout is for command output), as text or JSON lines.
#pragma once

#include <string>

namespace veil {

// format: "text" | "json"; level: trace|debug|info|warn|error. Throws std::invalid_argument.
void setup_logging(const std::string& format, const std::string& level);

}  // namespace veil
