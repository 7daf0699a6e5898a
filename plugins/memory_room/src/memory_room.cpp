#include "veil/memory_room/memory_room.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace veil::memory_room {

namespace {

std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// v1 reports "unlimited" as PAGE_COUNTER_MAX * page size (~2^63); anything this big is no limit.
constexpr uint64_t kUnlimited = uint64_t{1} << 60;

std::optional<uint64_t> mem_available(const std::string& proc_root) {
    auto text = read_text(proc_root + "/meminfo");
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MemAvailable:", 0) != 0) continue;
        std::istringstream f(line.substr(13));
        uint64_t kb = 0;
        std::string unit;
        if (!(f >> kb)) return std::nullopt;
        f >> unit;
        return unit == "kB" || unit.empty() ? kb * 1024 : kb;
    }
    return std::nullopt;  // very old kernels: no MemAvailable; treat as unknown
}

// nullopt = missing/unreadable/unlimited.
std::optional<uint64_t> read_limit(const std::string& path) {
    auto t = read_text(path);
    if (!t) return std::nullopt;
    std::string v = trim(*t);
    if (v == "max" || v.empty()) return std::nullopt;
    try {
        size_t used = 0;
        uint64_t x = std::stoull(v, &used);
        if (used != v.size() || x >= kUnlimited) return std::nullopt;
        return x;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// "/a/b/c" -> {"/a/b/c", "/a/b", "/a", ""}: our cgroup and every ancestor up to the mount root.
std::vector<std::string> ancestors(std::string path) {
    std::vector<std::string> out;
    while (!path.empty() && path.back() == '/') path.pop_back();
    while (!path.empty()) {
        out.push_back(path);
        size_t slash = path.rfind('/');
        path = slash == std::string::npos ? "" : path.substr(0, slash);
    }
    out.push_back("");
    return out;
}

void tighten(std::optional<uint64_t>& room, const std::string& dir, const char* limit_file, const char* usage_file) {
    auto limit = read_limit(dir + "/" + limit_file);
    if (!limit) return;
    auto usage = read_limit(dir + "/" + usage_file);
    uint64_t free = *limit > usage.value_or(0) ? *limit - usage.value_or(0) : 0;
    room = room ? std::min(*room, free) : free;
}

std::optional<uint64_t> cgroup_room(const std::string& proc_root, const std::string& sys_root) {
    auto text = read_text(proc_root + "/self/cgroup");
    if (!text) return std::nullopt;
    std::optional<uint64_t> room;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        // "<id>:<controllers>:<path>"; v2 is "0::<path>", v1 memory is "<n>:memory:<path>"
        size_t a = line.find(':');
        size_t b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        std::string controllers = line.substr(a + 1, b - a - 1);
        std::string path = line.substr(b + 1);
        if (controllers.empty()) {
            for (const auto& p : ancestors(path))
                tighten(room, sys_root + "/fs/cgroup" + p, "memory.max", "memory.current");
        } else {
            std::istringstream cs(controllers);
            std::string c;
            bool memory = false;
            while (std::getline(cs, c, ',')) memory |= (c == "memory");
            if (!memory) continue;
            for (const auto& p : ancestors(path))
                tighten(room, sys_root + "/fs/cgroup/memory" + p, "memory.limit_in_bytes", "memory.usage_in_bytes");
        }
    }
    return room;
}

}  // namespace

std::optional<uint64_t> MemoryRoom::bytes() const {
    if (!mem_available && !cgroup_room) return std::nullopt;
    return std::min(mem_available.value_or(UINT64_MAX), cgroup_room.value_or(UINT64_MAX));
}

MemoryRoom read_memory_room(const std::string& proc_root, const std::string& sys_root) {
    return {mem_available(proc_root), cgroup_room(proc_root, sys_root)};
}

}  // namespace veil::memory_room
