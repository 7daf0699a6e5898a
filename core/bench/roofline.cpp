#include "bench/roofline.h"

#include <stdexcept>

#include "bench/summary.h"

namespace veil::bench {

Roofline roofline(const RooflineInputs& in) {
    if (!(in.memory_bandwidth > 0) || !(in.memory_bytes_per_token > 0))
        throw std::invalid_argument("roofline: memory bandwidth and bytes per token must be positive");
    // Time per token can be no shorter than the time to move its bytes over the slower channel
    // (storage reads overlap compute and RAM reads in a prefetching backend, so the max, not the sum).
    double seconds = in.memory_bytes_per_token / in.memory_bandwidth;
    Roofline r;
    r.bound = "memory";
    if (in.storage_bytes_per_token && *in.storage_bytes_per_token > 0) {
        if (!in.storage_bandwidth || !(*in.storage_bandwidth > 0))
            throw std::invalid_argument("roofline: storage bandwidth must be positive");
        const double storage_seconds = *in.storage_bytes_per_token / *in.storage_bandwidth;
        if (storage_seconds > seconds) {
            seconds = storage_seconds;
            r.bound = "storage";
        }
    }
    r.max_tps = 1 / seconds;
    r.fraction = in.decode_tps / r.max_tps;
    return r;
}

PairedRooflines paired_rooflines(std::span<const double> decode_tps, std::span<const double> probe_bandwidth,
                                 double memory_bytes_per_token) {
    if (decode_tps.empty() || probe_bandwidth.size() != decode_tps.size() + 1)
        throw std::invalid_argument("roofline: " + std::to_string(decode_tps.size()) + " repetitions need " +
                                    std::to_string(decode_tps.size() + 1) + " bandwidth probes, not " +
                                    std::to_string(probe_bandwidth.size()));
    PairedRooflines p;
    std::vector<double> fractions, max_tps;
    for (size_t i = 0; i < decode_tps.size(); ++i) {
        RooflineInputs in;
        in.decode_tps = decode_tps[i];
        in.memory_bytes_per_token = memory_bytes_per_token;
        in.memory_bandwidth = (probe_bandwidth[i] + probe_bandwidth[i + 1]) / 2;
        p.bandwidth.push_back(in.memory_bandwidth);
        p.repetitions.push_back(roofline(in));
        fractions.push_back(p.repetitions.back().fraction);
        max_tps.push_back(p.repetitions.back().max_tps);
    }
    p.median.fraction = median(fractions);
    p.median.max_tps = median(max_tps);
    p.median.bound = "memory";
    return p;
}

}  // namespace veil::bench
