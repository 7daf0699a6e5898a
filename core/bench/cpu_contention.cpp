#include "bench/cpu_contention.h"

#include <fstream>
#include <string>
#include <system_error>

namespace veil::bench {
namespace {

std::optional<uint64_t> run_delay_of(const std::filesystem::path& schedstat) {
    std::ifstream in(schedstat);
    uint64_t on_cpu = 0, run_delay = 0;
    if (!(in >> on_cpu >> run_delay)) return std::nullopt;
    return run_delay;
}

std::optional<uint64_t> steal_of(const std::filesystem::path& stat) {
    std::ifstream in(stat);
    std::string cpu;
    uint64_t field[8] = {};  // user nice system idle iowait irq softirq steal
    if (!(in >> cpu) || cpu != "cpu") return std::nullopt;
    for (uint64_t& f : field)
        if (!(in >> f)) return std::nullopt;
    return field[7];
}

template <typename T>
void add(std::optional<T>& to, const std::optional<T>& v) {
    if (v) to = to.value_or(T{}) + *v;
}

}  // namespace

CpuContention& CpuContention::operator+=(const CpuContention& o) {
    add(wait_s, o.wait_s);
    add(steal_s, o.steal_s);
    return *this;
}

CpuCounters read_cpu_counters(const std::filesystem::path& proc_root) {
    CpuCounters c;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(proc_root / "self" / "task", ec), end; !ec && it != end; it.increment(ec)) {
        int tid = 0;
        try {
            tid = std::stoi(it->path().filename().string());
        } catch (const std::exception&) {
            continue;
        }
        if (auto d = run_delay_of(it->path() / "schedstat")) c.run_delay_ns[tid] = *d;
    }
    c.steal_ticks = steal_of(proc_root / "stat");
    return c;
}

CpuContention contention_between(const CpuCounters& before, const CpuCounters& after, long ticks_per_s) {
    CpuContention r;
    if (!after.run_delay_ns.empty()) {
        uint64_t ns = 0;
        for (const auto& [tid, delay] : after.run_delay_ns) {
            auto was = before.run_delay_ns.find(tid);
            const uint64_t from = was == before.run_delay_ns.end() ? 0 : was->second;
            if (delay > from) ns += delay - from;
        }
        r.wait_s = static_cast<double>(ns) / 1e9;
    }
    if (before.steal_ticks && after.steal_ticks && ticks_per_s > 0)
        r.steal_s = *after.steal_ticks > *before.steal_ticks
                        ? static_cast<double>(*after.steal_ticks - *before.steal_ticks) / static_cast<double>(ticks_per_s)
                        : 0.0;
    return r;
}

}  // namespace veil::bench
