#include "veil/engine/llama_kv_cache.h"

#include <immintrin.h>

#include <cstring>
#include <string.h>  // explicit_bzero (glibc)

#include "veil/engine/fp16.h"
#include "veil/engine/huge_pages.h"

namespace veil::engine {

void secure_zero(void* p, size_t n) noexcept {
    if (p != nullptr && n != 0) explicit_bzero(p, n);
}

namespace {
uint32_t blocks_of(uint32_t n_ctx) { return (n_ctx + KvCache::kKeyBlock - 1) / KvCache::kKeyBlock; }

// n floats to F16, `stride` halves apart: F16C where the CPU has it (decode stores a few hundred
// values per layer), else the portable conversion, which rounds identically.
__attribute__((target("f16c"))) void to_half_f16c(const float* src, uint16_t* dst, size_t stride, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) dst[i * stride] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT);
}
void to_half(const float* src, uint16_t* dst, size_t stride, uint32_t n) {
    static const bool f16c = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("f16c") != 0;
    }();
    if (f16c) return to_half_f16c(src, dst, stride, n);
    for (uint32_t i = 0; i < n; ++i) dst[i * stride] = fp32_to_fp16(src[i]);
}

}  // namespace

size_t KvCache::bytes_for(uint32_t n_layer, uint32_t n_head_kv, uint32_t head_dim, uint32_t n_ctx) {
    return 2 * static_cast<size_t>(n_layer) * n_head_kv * blocks_of(n_ctx) * kKeyBlock * head_dim * sizeof(uint16_t);
}

KvCache::KvCache(uint32_t n_layer, uint32_t n_head_kv, uint32_t head_dim, uint32_t n_ctx)
    : n_layer_(n_layer),
      n_head_kv_(n_head_kv),
      head_dim_(head_dim),
      n_ctx_(n_ctx),
      ctx_blocks_(blocks_of(n_ctx)),
      elements_(static_cast<size_t>(n_layer) * n_head_kv * ctx_blocks_ * kKeyBlock * head_dim),
      data_(new uint16_t[2 * elements_]) {
    advise_huge_pages(data_.get(), bytes());
    std::memset(data_.get(), 0, bytes());  // every page committed now, not mid-request
}

KvCache::~KvCache() { secure_zero(data_.get(), bytes()); }

void KvCache::store(uint32_t layer, uint32_t kv_head, uint32_t pos, const float* key, const float* value) {
    to_half(key, mutable_at(offset(layer, kv_head, pos / kKeyBlock * kKeyBlock)) + pos % kKeyBlock, kKeyBlock, head_dim_);
    to_half(value, mutable_at(elements_ + offset(layer, kv_head, pos)), 1, head_dim_);
}

float KvCache::key(uint32_t layer, uint32_t kv_head, uint32_t pos, uint32_t d) const {
    return fp16_to_fp32(key_block(layer, kv_head, pos / kKeyBlock)[static_cast<size_t>(d) * kKeyBlock + pos % kKeyBlock]);
}

void KvCache::clear_from(uint32_t n_past) {
    if (n_past >= n_ctx_) return;
    const uint32_t first_block = n_past / kKeyBlock, lane = n_past % kKeyBlock;
    const size_t end = static_cast<size_t>(ctx_blocks_) * kKeyBlock;
    for (uint32_t l = 0; l < n_layer_; ++l)
        for (uint32_t h = 0; h < n_head_kv_; ++h) {
            // Keys: the tail lanes of the block holding n_past, then every later block whole.
            uint16_t* block = mutable_at(offset(l, h, first_block * kKeyBlock));
            uint32_t whole_from = first_block;
            if (lane != 0) {
                for (uint32_t d = 0; d < head_dim_; ++d)
                    secure_zero(block + static_cast<size_t>(d) * kKeyBlock + lane, (kKeyBlock - lane) * sizeof(uint16_t));
                ++whole_from;
            }
            const size_t from = static_cast<size_t>(whole_from) * kKeyBlock;
            if (from < end)
                secure_zero(mutable_at(offset(l, h, static_cast<uint32_t>(from))), (end - from) * head_dim_ * sizeof(uint16_t));
            secure_zero(mutable_at(elements_ + offset(l, h, n_past)), (end - n_past) * head_dim_ * sizeof(uint16_t));
        }
}

}  // namespace veil::engine
