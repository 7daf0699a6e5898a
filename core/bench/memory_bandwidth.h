// Measured memory read bandwidth: the denominator of the decode roofline for weights held in RAM.
// Lives in the host (not the engine) so `veil bench` measures the machine, not a kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace veil::bench {

struct MemoryBandwidth {
    // Buffer bytes / wall time of the slowest thread: the median pass, and the best one. The median
    // is the roofline's denominator. This machine's bandwidth comes in bursts — single passes of a
    // few milliseconds reach 1.6x the median now and then — and a decode averaged over seconds sees
    // the sustained rate, not the bursts; the median is that rate, the best pass is not.
    double bytes_per_s = 0;
    double best_bytes_per_s = 0;
    uint64_t buffer_bytes = 0;
    unsigned threads = 0;
    unsigned passes = 0;
};

// Size of the CPU's last-level cache (the highest cache level sysfs lists for cpu0); 0 when unknown.
uint64_t last_level_cache_bytes();

// A buffer that defeats the last-level cache: 8x its size, at least 64 MiB.
uint64_t default_probe_buffer_bytes();

// Most bytes a decode probe sweeps (probe_buffer_bytes_for): on this VM, sweeps of 576 MiB, 1.1 GiB
// and 4 GiB measure the same bandwidth within 1%, so a larger buffer would only cost time.
constexpr uint64_t kMaxDecodeProbeBytes = uint64_t{1} << 30;

// The probe buffer to set against a decode that reads `bytes_per_pass` bytes of weights per pass:
// as many bytes as the pass (so that caches serve the probe no larger a share of its reads than
// they serve decode), between default_probe_buffer_bytes() and kMaxDecodeProbeBytes, and at most
// half of `room` (the memory this process may still take; nullopt: unknown) unless that is below
// the default.
//
// Why not the default alone: in this VM's fast memory state a 256 MiB sweep read 6-8% faster than
// sweeps of 576 MiB to 4 GiB (2% in the slow state): an over-stated bandwidth that a 571 MiB
// decode pass cannot reach. Most likely the host then runs the two vCPUs on different CCDs, each
// with its own L3, while the guest sees one 32 MiB L3.
uint64_t probe_buffer_bytes_for(uint64_t bytes_per_pass, std::optional<uint64_t> room);

// Every thread reads its own contiguous slice of one `buffer_bytes` buffer (filled beforehand, so
// its pages exist), all starting together; `passes` passes, median and best kept. Throws
// std::invalid_argument for threads == 0, passes == 0 or a buffer under 1 MiB, std::bad_alloc when
// the buffer cannot be allocated.
MemoryBandwidth measure_memory_read_bandwidth(unsigned threads, uint64_t buffer_bytes, unsigned passes);

// Probes taken at several times (between benchmark repetitions) as one: the median of their
// medians, the best of their bests, their passes summed. `probes` is not empty and all used the
// same threads and buffer (std::invalid_argument otherwise).
MemoryBandwidth combine_probes(const std::vector<MemoryBandwidth>& probes);

}  // namespace veil::bench
