// Per-session key/value cache, in IEEE half precision (F16) like llama.cpp's default cache: half
// the memory of F32 — protected memory is the scarce resource in a TEE — and half the bytes
// attention reads per token, for a rounding error (2^-11 relative) far below the 8-bit activation
// quantization of the matmuls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace veil::engine {

class KvCache {
public:
    // Keys are stored in blocks of kKeyBlock positions, transposed: [layer][kv_head][pos / 16]
    // [head_dim][16]. Attention then multiplies one query element by 16 keys with one instruction
    // instead of summing each key's products across a vector (2.5x fewer operations for the
    // scores). Values stay [layer][kv_head][pos][head_dim]: the weighted sum walks them row by row.
    static constexpr uint32_t kKeyBlock = 16;

    KvCache(uint32_t n_layer, uint32_t n_head_kv, uint32_t head_dim, uint32_t n_ctx);
    ~KvCache();  // zeroizes: the cache holds activations derived from the user's prompt
    KvCache(const KvCache&) = delete;
    KvCache& operator=(const KvCache&) = delete;

    // Bytes a cache of these dimensions holds (for memory budgets): n_ctx rounded up to a key block.
    static size_t bytes_for(uint32_t n_layer, uint32_t n_head_kv, uint32_t head_dim, uint32_t n_ctx);

    uint32_t n_ctx() const { return n_ctx_; }

    // Writes position `pos` of one KV head: head_dim floats of key and of value, rounded to F16
    // (to nearest even, as F16C and ggml do).
    void store(uint32_t layer, uint32_t kv_head, uint32_t pos, const float* key, const float* value);

    // Keys of positions [16 * block, 16 * block + 16), F16: head_dim rows of 16, row d holding
    // element d of each key. Positions not yet stored read as zero.
    const uint16_t* key_block(uint32_t layer, uint32_t kv_head, uint32_t block) const {
        return data_.get() + offset(layer, kv_head, block * kKeyBlock);
    }
    // Element d of the key at `pos`, as float (the portable path and tests).
    float key(uint32_t layer, uint32_t kv_head, uint32_t pos, uint32_t d) const;
    // The value at `pos`, F16: head_dim halves, followed by the later positions' values.
    const uint16_t* value(uint32_t layer, uint32_t kv_head, uint32_t pos) const {
        return data_.get() + elements_ + offset(layer, kv_head, pos);
    }

    // Zeroes positions >= n_past (rewind): forgotten positions leave no plaintext behind.
    void clear_from(uint32_t n_past);
    size_t bytes() const { return 2 * elements_ * sizeof(uint16_t); }

private:
    // Both layouts put position blocks of one (layer, KV head) in the same place: block b of keys
    // and values [16 b, 16 b + 16) start at the same offset.
    size_t offset(uint32_t layer, uint32_t kv_head, uint32_t pos) const {
        return ((static_cast<size_t>(layer) * n_head_kv_ + kv_head) * ctx_blocks_ * kKeyBlock + pos) * head_dim_;
    }
    uint16_t* mutable_at(size_t off) { return data_.get() + off; }

    uint32_t n_layer_, n_head_kv_, head_dim_, n_ctx_, ctx_blocks_;
    size_t elements_;                   // of the keys, and of the values
    std::unique_ptr<uint16_t[]> data_;  // the keys, then the values; on huge pages where they fit
};

// Overwrites memory in a way the optimiser may not elide.
void secure_zero(void* p, size_t n) noexcept;

}  // namespace veil::engine
