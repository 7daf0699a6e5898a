// Per-session key/value cache. F32 for now: exact, and the models Veil targets in tests are small;
// an F16 cache would halve memory at a small accuracy cost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace veil::engine {

class KvCache {
public:
    KvCache(uint32_t n_layer, uint32_t n_head_kv, uint32_t head_dim, uint32_t n_ctx);
    ~KvCache();  // zeroizes: the cache holds activations derived from the user's prompt
    KvCache(const KvCache&) = delete;
    KvCache& operator=(const KvCache&) = delete;

    uint32_t n_ctx() const { return n_ctx_; }

    // Layout [layer][kv_head][pos][head_dim]: one head's keys over all positions are contiguous,
    // which is the order attention walks them.
    float* k(uint32_t layer, uint32_t kv_head, uint32_t pos) { return data_.get() + offset(layer, kv_head, pos); }
    float* v(uint32_t layer, uint32_t kv_head, uint32_t pos) { return data_.get() + elements_ + offset(layer, kv_head, pos); }
    const float* k(uint32_t layer, uint32_t kv_head, uint32_t pos) const { return data_.get() + offset(layer, kv_head, pos); }
    const float* v(uint32_t layer, uint32_t kv_head, uint32_t pos) const {
        return data_.get() + elements_ + offset(layer, kv_head, pos);
    }

    // Zeroes positions >= n_past (rewind): forgotten positions leave no plaintext behind.
    void clear_from(uint32_t n_past);
    size_t bytes() const { return 2 * elements_ * sizeof(float); }

private:
    size_t offset(uint32_t layer, uint32_t kv_head, uint32_t pos) const {
        return ((static_cast<size_t>(layer) * n_head_kv_ + kv_head) * n_ctx_ + pos) * head_dim_;
    }
    uint32_t n_layer_, n_head_kv_, head_dim_, n_ctx_;
    size_t elements_;                  // of the keys, and of the values
    std::unique_ptr<float[]> data_;  // the keys, then the values; on huge pages where they fit
};

// Overwrites memory in a way the optimiser may not elide.
void secure_zero(void* p, size_t n) noexcept;

}  // namespace veil::engine
