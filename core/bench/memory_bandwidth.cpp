#include "bench/memory_bandwidth.h"

#include <sys/mman.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/summary.h"

namespace veil::bench {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

using Lane = uint64_t __attribute__((vector_size(64)));

// XOR-folds `n` 256-byte blocks. Four independent accumulators and software prefetches 4 KiB
// ahead keep enough loads in flight to saturate the memory bus — the same prefetch distance the
// engine's grouped kernels use, without which they out-read this probe; target_clones picks
// 512/256-bit loads where the CPU has them (the host is built for baseline x86-64). The result is
// returned so the loads cannot be optimised away.
__attribute__((target_clones("avx512f", "avx2", "default"))) uint64_t fold_blocks(const Lane* p, size_t n) {
    constexpr size_t kAheadBlocks = 4096 / sizeof(Lane[4]);
    Lane a = {}, b = {}, c = {}, d = {};
    for (size_t i = 0; i < n; ++i, p += 4) {
        for (int line = 0; line < 4; ++line) __builtin_prefetch(p + 4 * kAheadBlocks + line, 0, 3);
        a ^= p[0];
        b ^= p[1];
        c ^= p[2];
        d ^= p[3];
    }
    const Lane r = a ^ b ^ c ^ d;
    uint64_t out = 0;
    for (int i = 0; i < 8; ++i) out ^= r[i];
    return out;
}

// An anonymous mapping of its own, so that freeing it returns the pages to the kernel whatever the
// allocator (or a sanitizer's quarantine) would do: `veil bench` cuts the probe out of the peak RSS.
class ProbeBuffer {
public:
    explicit ProbeBuffer(size_t bytes) : bytes_(bytes) {
        void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        p_ = p;
    }
    ~ProbeBuffer() { ::munmap(p_, bytes_); }
    ProbeBuffer(const ProbeBuffer&) = delete;
    ProbeBuffer& operator=(const ProbeBuffer&) = delete;
    void* get() const { return p_; }

private:
    void* p_ = nullptr;
    size_t bytes_;
};

}  // namespace

uint64_t last_level_cache_bytes() {
    uint64_t best = 0;
    for (int i = 0; i < 8; ++i) {
        std::ifstream f("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/size");
        std::string text;
        if (!(f >> text) || text.empty()) continue;
        uint64_t v = std::strtoull(text.c_str(), nullptr, 10);
        const char unit = text.back();
        if (unit == 'K') v *= 1024;
        if (unit == 'M') v *= kMiB;
        best = std::max(best, v);
    }
    return best;
}

uint64_t default_probe_buffer_bytes() { return std::max<uint64_t>(64 * kMiB, 8 * last_level_cache_bytes()); }

uint64_t probe_buffer_bytes_for(uint64_t bytes_per_pass, std::optional<uint64_t> room) {
    const uint64_t floor = default_probe_buffer_bytes();
    uint64_t bytes = std::clamp(bytes_per_pass, floor, std::max(floor, kMaxDecodeProbeBytes));
    if (room) bytes = std::max(floor, std::min(bytes, *room / 2));
    return bytes;
}

MemoryBandwidth measure_memory_read_bandwidth(unsigned threads, uint64_t buffer_bytes, unsigned passes) {
    if (threads == 0) throw std::invalid_argument("memory bandwidth probe: threads must be at least 1");
    if (passes == 0) throw std::invalid_argument("memory bandwidth probe: passes must be at least 1");
    if (buffer_bytes < kMiB) throw std::invalid_argument("memory bandwidth probe: buffer must be at least 1 MiB");
    constexpr size_t kBlock = 4 * sizeof(Lane);
    // Each thread's slice is a whole number of blocks.
    const uint64_t blocks_per_thread = buffer_bytes / kBlock / threads;
    if (blocks_per_thread == 0) throw std::invalid_argument("memory bandwidth probe: buffer too small for the threads");
    const uint64_t bytes = blocks_per_thread * kBlock * threads;

    // Huge pages where the kernel grants them, as the backends ask for their weights: with 4 KiB
    // pages the TLB misses of a 256 MiB sweep cost a few percent of bandwidth.
    constexpr size_t kHuge = 2u << 20;
    const ProbeBuffer buffer((bytes + kHuge - 1) / kHuge * kHuge);
    ::madvise(buffer.get(), (bytes + kHuge - 1) / kHuge * kHuge, MADV_HUGEPAGE);  // advice: failing is harmless
    std::memset(buffer.get(), 0x5a, bytes);  // fault every page in before timing
    const auto* base = static_cast<const Lane*>(buffer.get());

    using Clock = std::chrono::steady_clock;
    std::vector<uint64_t> sinks(threads);
    Clock::time_point start;
    std::vector<double> seconds;
    // Pass boundaries: the completion step of the first barrier stamps the start, of the second
    // the end, so the time covers the slowest thread.
    std::barrier start_line(threads, [&]() noexcept { start = Clock::now(); });
    std::barrier finish_line(threads, [&]() noexcept {
        seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    });
    auto worker = [&](unsigned t) {
        const Lane* slice = base + static_cast<size_t>(t) * blocks_per_thread * 4;
        for (unsigned pass = 0; pass < passes; ++pass) {
            start_line.arrive_and_wait();
            sinks[t] ^= fold_blocks(slice, blocks_per_thread);
            finish_line.arrive_and_wait();
        }
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, t);
        worker(0);
    }
    uint64_t sink = 0;
    for (uint64_t s : sinks) sink ^= s;
    // Four accumulators of the same fill byte fold to 0; anything else means the loads did not see
    // the buffer (a check that also keeps `sink` alive).
    if (sink != 0)
        throw std::logic_error("memory bandwidth probe: read back unexpected data");

    MemoryBandwidth r;
    r.buffer_bytes = bytes;
    r.threads = threads;
    r.passes = passes;
    const double typical = median(seconds);
    const double best = *std::min_element(seconds.begin(), seconds.end());
    r.bytes_per_s = typical > 0 ? static_cast<double>(bytes) / typical : 0;
    r.best_bytes_per_s = best > 0 ? static_cast<double>(bytes) / best : 0;
    return r;
}

MemoryBandwidth combine_probes(const std::vector<MemoryBandwidth>& probes) {
    if (probes.empty()) throw std::invalid_argument("memory bandwidth probes: none to combine");
    MemoryBandwidth r = probes.front();
    r.passes = 0;
    std::vector<double> medians;
    for (const MemoryBandwidth& p : probes) {
        if (p.threads != r.threads || p.buffer_bytes != r.buffer_bytes)
            throw std::invalid_argument("memory bandwidth probes: different threads or buffers");
        medians.push_back(p.bytes_per_s);
        r.best_bytes_per_s = std::max(r.best_bytes_per_s, p.best_bytes_per_s);
        r.passes += p.passes;
    }
    r.bytes_per_s = median(medians);
    return r;
}

}  // namespace veil::bench
