// The roofline fraction of a decode run: measured tok/s over the fastest rate the bytes a token
// needs allow, given measured bandwidths.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

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

// Memory rooflines of repetitions each measured between two bandwidth probes: repetition i's
// decode against the mean of probe i (before it) and probe i + 1 (after it). A VM's memory
// bandwidth can change by half within seconds when other tenants come and go, and a run's mean
// decode against its median probe then mixes two machines; each repetition against the bandwidth
// of its own moment does not.
struct PairedRooflines {
    std::vector<double> bandwidth;      // per repetition, bytes/s
    std::vector<Roofline> repetitions;  // per repetition
    Roofline median;                    // median fraction and median max_tps over the repetitions
};

// decode_tps.size() >= 1 and probe_bandwidth.size() == decode_tps.size() + 1 (std::invalid_argument
// otherwise, and as roofline() for non-positive values).
PairedRooflines paired_rooflines(std::span<const double> decode_tps, std::span<const double> probe_bandwidth,
                                 double memory_bytes_per_token);

}  // namespace veil::bench
