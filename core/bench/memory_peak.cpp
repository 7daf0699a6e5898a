#include "bench/memory_peak.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace veil::bench {
namespace {

struct Mount {
    std::string point, fstype, options;
};

// Mount points of cgroup file systems, from /proc/self/mountinfo ("... mountpoint ... - fstype src opts").
std::vector<Mount> cgroup_mounts() {
    std::vector<Mount> out;
    std::ifstream f("/proc/self/mountinfo");
    std::string line;
    while (std::getline(f, line)) {
        std::istringstream in(line);
        std::string id, parent, dev, root, point, field;
        in >> id >> parent >> dev >> root >> point;
        while (in >> field && field != "-") {
        }
        Mount m;
        m.point = point;
        std::string source;
        in >> m.fstype >> source >> m.options;
        if (m.fstype == "cgroup2" || m.fstype == "cgroup") out.push_back(m);
    }
    return out;
}

bool readable_number(const std::string& file, uint64_t& value) {
    std::ifstream f(file);
    return static_cast<bool>(f >> value);
}

bool has_option(const std::string& options, const std::string& name) {
    std::istringstream in(options);
    std::string o;
    while (std::getline(in, o, ','))
        if (o == name) return true;
    return false;
}

}  // namespace

uint64_t peak_rss_bytes() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmHWM:", 0) != 0) continue;
        std::istringstream in(line.substr(6));
        uint64_t kib = 0;
        std::string unit;
        if (in >> kib >> unit && unit == "kB") return kib * 1024;
    }
    throw std::runtime_error("cannot read VmHWM from /proc/self/status");
}

bool reset_peak_rss() {
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
    f.flush();
    return static_cast<bool>(f);
}

std::optional<CgroupPeak> cgroup_memory_peak() {
    // /proc/self/cgroup lines: "0::/path" (v2) or "4:memory:/path" (v1).
    std::ifstream f("/proc/self/cgroup");
    std::string line, v2_path, v1_path;
    while (std::getline(f, line)) {
        const auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (line.compare(0, a, "0") == 0 && controllers.empty()) v2_path = path;
        if (has_option(controllers, "memory")) v1_path = path;
    }
    for (const Mount& m : cgroup_mounts()) {
        // The root cgroup has no peak of its own: it would be the whole machine's.
        if (m.fstype == "cgroup2" && !v2_path.empty() && v2_path != "/") {
            CgroupPeak p{0, m.point + v2_path + "/memory.peak"};
            if (readable_number(p.file, p.bytes)) return p;
        }
        if (m.fstype == "cgroup" && has_option(m.options, "memory") && !v1_path.empty() && v1_path != "/") {
            CgroupPeak p{0, m.point + v1_path + "/memory.max_usage_in_bytes"};
            if (readable_number(p.file, p.bytes)) return p;
        }
    }
    return std::nullopt;
}

}  // namespace veil::bench
