// The roofline fraction of a decode run: measured tok/s over the fastest rate the bytes a token
// needs allow, given measured bandwidths.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace veil::bench {

struct RooflineInputs {
    double decode_tps = 0;               // aggregate decoded tokens per second
    double memory_bytes_per_token = 0;   // weight bytes read from RAM per decoded token
    double memory_bandwidth = 0;         // bytes/s
    // backend_stream: bytes read from the model file per decoded token, and the file's bandwidth.
    std::optional<double> storage_bytes_per_token;
    std::optional<double> storage_bandwidth;
};

struct Roofline {
    double fraction = 0;   // decode_tps / max_tps
    double max_tps = 0;    // 1 / the slower of (memory bytes / memory bw, storage bytes / storage bw)
    std::string bound;     // "memory" or "storage": which limit max_tps comes from
};

// Throws std::invalid_argument for non-positive bandwidths or memory bytes per token.
Roofline roofline(const RooflineInputs& in);

}  // namespace veil::bench
