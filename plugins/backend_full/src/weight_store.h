// Memory backend_full owns for a model's weights: one anonymous mapping holding every tensor at a
// 64-byte aligned offset, filled through the model source, optionally mlocked, zeroized on release.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "veil/backend.h"
#include "veil/plugin.hpp"

namespace veil::backend_full {

class WeightStore {
public:
    // Reads every tensor through source.read (`host` releases or passes on the source's errors).
    // Throws sdk::HostError carrying the source's error when a read fails (it names what failed,
    // e.g. a sealed chunk that does not authenticate), sdk::Error VEIL_ERR_OUT_OF_MEMORY when the
    // mapping or mlock fails (the latter quoting RLIMIT_MEMLOCK).
    WeightStore(const veil_model_source& source, bool lock, const sdk::Host& host);
    ~WeightStore();
    WeightStore(const WeightStore&) = delete;
    WeightStore& operator=(const WeightStore&) = delete;

    const void* data(size_t tensor_index) const { return base_ + offsets_.at(tensor_index); }
    size_t bytes() const { return size_; }
    bool locked() const { return locked_; }

private:
    void release() noexcept;

    uint8_t* base_ = nullptr;
    size_t size_ = 0;
    bool locked_ = false;
    std::vector<size_t> offsets_;
};

}  // namespace veil::backend_full
