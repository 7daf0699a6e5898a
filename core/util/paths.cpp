#include "util/paths.h"

#include <filesystem>

namespace veil {

std::string executable_dir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return std::filesystem::current_path().string();
    return exe.parent_path().string();
}

std::string default_plugin_dir() { return executable_dir() + "/plugins"; }

}  // namespace veil
