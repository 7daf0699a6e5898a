#include "weight_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "memory_budget.h"
#include "veil/backend_common/engine_errors.h"
#include "veil/engine/llama_kv_cache.h"  // secure_zero
#include "veil/engine/llama_weights.h"
#include "veil/plugin.hpp"

namespace veil::backend_stream {

WeightBuffer::WeightBuffer(size_t bytes, WeightIoCounters& counters) : bytes_(bytes), counters_(counters) {
    void* p = mmap(nullptr, std::max<size_t>(bytes_, 1), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw sdk::Error(VEIL_ERR_OUT_OF_MEMORY, "cannot map a weight buffer of " + bytes_str(bytes_) + ": " + std::strerror(errno));
    base_ = static_cast<uint8_t*>(p);
#ifdef MADV_DONTDUMP
    madvise(base_, std::max<size_t>(bytes_, 1), MADV_DONTDUMP);
#endif
}

WeightBuffer::~WeightBuffer() {
    zeroize(dirty_);
    munmap(base_, std::max<size_t>(bytes_, 1));
}

void WeightBuffer::zeroize(size_t bytes) {
    bytes = std::min(bytes, dirty_);
    if (bytes == 0) return;
    engine::secure_zero(base_, bytes);
    counters_.bytes_zeroized.fetch_add(bytes, std::memory_order_relaxed);
    dirty_ = 0;
}

void WeightBuffer::copy_from(const uint8_t* src, size_t bytes) {
    if (bytes > bytes_) throw sdk::Error(VEIL_ERR_INTERNAL, "copy larger than its weight buffer");
    std::memcpy(base_, src, bytes);
    dirty_ = std::max(dirty_, bytes);
}

void WeightBuffer::fill(const veil_model_source& source, const WeightUnit& unit,
                        const sdk::Host& host) {
    mark_dirty(unit.bytes);
    fill_extents(source, unit, 0, unit.extents.size(), host);
    regroup(source, unit);
}

void WeightBuffer::fill_extents(const veil_model_source& source, const WeightUnit& unit, size_t first, size_t last,
                                const sdk::Host& host) {
    if (unit.bytes > bytes_) throw sdk::Error(VEIL_ERR_INTERNAL, "weight unit larger than its buffer");
    for (size_t i = first; i < last && i < unit.extents.size(); ++i) read_extent(source, unit.extents[i], host);
}

void WeightBuffer::mark_dirty(size_t bytes) { dirty_ = std::max(dirty_, std::min(bytes, bytes_)); }

void WeightBuffer::fill(const veil_model_source& source, const Extent& e, const sdk::Host& host) {
    mark_dirty(static_cast<size_t>(e.dst_offset + e.bytes));
    read_extent(source, e, host);
}

void WeightBuffer::read_extent(const veil_model_source& source, const Extent& e,
                               const sdk::Host& host) {
    if (e.dst_offset + e.bytes > bytes_) throw sdk::Error(VEIL_ERR_INTERNAL, "extent outside its weight buffer");
    const auto t0 = std::chrono::steady_clock::now();
    veil_error* err = source.read(source.ctx, e.tensor, e.src_offset, base_ + e.dst_offset, static_cast<size_t>(e.bytes),
                                  VEIL_READ_NOCACHE);
    if (err != nullptr) {
        throw sdk::HostError(host, err, VEIL_ERR_IO, std::string("reading tensor '") + source.tensors[e.tensor].name + "' (" +
                                          std::to_string(e.bytes) + " bytes at offset " + std::to_string(e.src_offset) +
                                          ") from model '" + (source.model_id ? source.model_id : "?") + "' failed");
    }
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    counters_.read_ns.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
    counters_.bytes_read.fetch_add(e.bytes, std::memory_order_relaxed);
    // Every read, not once per model: the source may change under a plain file between passes.
    backend_common::translate_engine_errors(
        [&] { engine::require_finite(source.tensors[e.tensor], base_ + e.dst_offset, e.src_offset, e.bytes); });
}

void WeightBuffer::regroup(const veil_model_source& source, const WeightUnit& unit) {
    for (const Extent& e : unit.extents) regroup(source, e);
}

void WeightBuffer::regroup(const veil_model_source& source, const Extent& e) {
    if (e.layout == engine::RowLayout::Plain) return;
    if (e.dst_offset + e.bytes > bytes_) throw sdk::Error(VEIL_ERR_INTERNAL, "extent outside its weight buffer");
    const auto t0 = std::chrono::steady_clock::now();
    group_extent(source, e, base_);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
    counters_.group_ns.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

}  // namespace veil::backend_stream
