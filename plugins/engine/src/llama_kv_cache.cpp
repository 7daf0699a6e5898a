#include "veil/engine/llama_kv_cache.h"

#include <cstring>
#include <string.h>  // explicit_bzero (glibc)

#include "veil/engine/huge_pages.h"

namespace veil::engine {

void secure_zero(void* p, size_t n) noexcept {
    if (p != nullptr && n != 0) explicit_bzero(p, n);
}

KvCache::KvCache(uint32_t n_layer, uint32_t n_head_kv, uint32_t head_dim, uint32_t n_ctx)
    : n_layer_(n_layer),
      n_head_kv_(n_head_kv),
      head_dim_(head_dim),
      n_ctx_(n_ctx),
      elements_(static_cast<size_t>(n_layer) * n_head_kv * n_ctx * head_dim),
      data_(new float[2 * elements_]) {
    advise_huge_pages(data_.get(), bytes());
    std::memset(data_.get(), 0, bytes());  // every page committed now, not mid-request
}

KvCache::~KvCache() { secure_zero(data_.get(), bytes()); }

void KvCache::clear_from(uint32_t n_past) {
    if (n_past >= n_ctx_) return;
    const size_t n = static_cast<size_t>(n_ctx_ - n_past) * head_dim_ * sizeof(float);
    for (uint32_t l = 0; l < n_layer_; ++l)
        for (uint32_t h = 0; h < n_head_kv_; ++h) {
            secure_zero(k(l, h, n_past), n);
            secure_zero(v(l, h, n_past), n);
        }
}

}  // namespace veil::engine
