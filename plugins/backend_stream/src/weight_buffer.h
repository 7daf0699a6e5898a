// A plugin-owned buffer of plaintext weights: an anonymous mapping kept out of core dumps,
// zeroized before it is unmapped. Filled unit by unit through the model source's read(), then
// rewritten in place into the unit's planned row layouts (regroup; weight_units.h), after which
// the buffer — or a copy of it — is what the views describe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "veil/backend.h"
#include "veil/plugin.hpp"
#include "weight_units.h"

namespace veil::backend_stream {

// Counters shared by every buffer of a model, for its stats.
struct WeightIoCounters {
    std::atomic<uint64_t> bytes_read{0};
    std::atomic<uint64_t> read_ns{0};
    std::atomic<uint64_t> bytes_zeroized{0};
    std::atomic<uint64_t> group_ns{0};  // regrouping units after their reads (not in read_ns)
};

class WeightBuffer {
public:
    // Throws sdk::Error(VEIL_ERR_OUT_OF_MEMORY) when the mapping fails.
    WeightBuffer(size_t bytes, WeightIoCounters& counters);
    ~WeightBuffer();  // zeroizes
    WeightBuffer(const WeightBuffer&) = delete;
    WeightBuffer& operator=(const WeightBuffer&) = delete;

    const uint8_t* data() const { return base_; }
    size_t bytes() const { return bytes_; }

    // Reads every extent of `unit` (unit.bytes <= bytes()) through source.read with
    // VEIL_READ_NOCACHE, so the host's page cache does not grow, then regroups it. Throws
    // sdk::HostError carrying the source's own error (which names what failed: the file, the
    // sealed chunk), or sdk::Error(VEIL_ERR_IO) naming the tensor when there is none.
    void fill(const veil_model_source& source, const WeightUnit& unit, const sdk::Host& host);
    // Reads extents [first, last) of `unit` only, as stored: two threads may fill disjoint ranges
    // of one buffer at once, after mark_dirty(unit.bytes) was called by the one that owns it;
    // regroup(unit) once every extent is in.
    void fill_extents(const veil_model_source& source, const WeightUnit& unit, size_t first, size_t last,
                      const sdk::Host& host);
    void mark_dirty(size_t bytes);
    // Rewrites the freshly read `unit` into its planned row layouts (group_extent): exactly once
    // per fill — a second call would scramble grouped rows.
    void regroup(const veil_model_source& source, const WeightUnit& unit);
    // The same for one extent of the unit: threads may regroup different extents at once.
    void regroup(const veil_model_source& source, const Extent& extent);
    // Reads one extent the same way, as stored (a Plain one: an embedding row, the final norm).
    void fill(const veil_model_source& source, const Extent& extent, const sdk::Host& host);
    // Copies a filled unit from another buffer (a streamed unit kept resident), no I/O.
    void copy_from(const uint8_t* src, size_t bytes);
    // Overwrites the plaintext (the buffer stays mapped for reuse).
    void zeroize(size_t bytes);

private:
    void read_extent(const veil_model_source& source, const Extent& extent, const sdk::Host& host);

    uint8_t* base_ = nullptr;
    size_t bytes_ = 0;
    size_t dirty_ = 0;  // bytes that may hold plaintext
    WeightIoCounters& counters_;
};

}  // namespace veil::backend_stream
