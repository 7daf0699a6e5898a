#include "bench/roofline.h"

#include <stdexcept>

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

}  // namespace veil::bench
