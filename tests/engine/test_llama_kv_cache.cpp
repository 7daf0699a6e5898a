// The KV cache's layout (keys in transposed blocks of 16 positions, values row by row) and its
// rewind, which must leave no forgotten plaintext behind.
#include <gtest/gtest.h>

#include <vector>

#include "veil/engine/llama_kv_cache.h"

namespace veil::test {
namespace {

using engine::KvCache;

// A value no two (layer, head, position, element) share.
float tag(uint32_t l, uint32_t h, uint32_t p, uint32_t d, bool value) {
    return static_cast<float>(((l * 10 + h) * 100 + p) * 100 + d) + (value ? 0.5f : 0.25f);
}

// 3 layers, 2 KV heads, head_dim 5, a context of 37 positions: two full key blocks and a partial one.
constexpr uint32_t kLayers = 3, kHeads = 2, kDim = 5, kCtx = 37;

void fill(KvCache& cache) {
    std::vector<float> k(kDim), v(kDim);
    for (uint32_t l = 0; l < kLayers; ++l)
        for (uint32_t h = 0; h < kHeads; ++h)
            for (uint32_t p = 0; p < kCtx; ++p) {
                for (uint32_t d = 0; d < kDim; ++d) k[d] = tag(l, h, p, d, false), v[d] = tag(l, h, p, d, true);
                cache.store(l, h, p, k.data(), v.data());
            }
}

TEST(LlamaKvCache, StoredKeysAndValuesReadBackFromEveryPosition) {
    KvCache cache(kLayers, kHeads, kDim, kCtx);
    fill(cache);
    for (uint32_t l = 0; l < kLayers; ++l)
        for (uint32_t h = 0; h < kHeads; ++h)
            for (uint32_t p = 0; p < kCtx; ++p)
                for (uint32_t d = 0; d < kDim; ++d) {
                    ASSERT_EQ(cache.key(l, h, p, d), tag(l, h, p, d, false)) << l << "/" << h << "/" << p << "/" << d;
                    ASSERT_EQ(cache.value(l, h, p)[d], tag(l, h, p, d, true)) << l << "/" << h << "/" << p << "/" << d;
                }
}

TEST(LlamaKvCache, KeyBlocksHoldSixteenPositionsElementByElement) {
    KvCache cache(kLayers, kHeads, kDim, kCtx);
    fill(cache);
    const float* block = cache.key_block(1, 1, 2);  // positions 32 .. 47, of which 32 .. 36 exist
    for (uint32_t d = 0; d < kDim; ++d)
        for (uint32_t lane = 0; lane < KvCache::kKeyBlock; ++lane) {
            const uint32_t p = 32 + lane;
            EXPECT_EQ(block[d * KvCache::kKeyBlock + lane], p < kCtx ? tag(1, 1, p, d, false) : 0.0f) << d << "/" << lane;
        }
    // The blocks of one layer and head follow each other.
    EXPECT_EQ(cache.key_block(2, 0, 1), cache.key_block(2, 0, 0) + KvCache::kKeyBlock * kDim);
}

TEST(LlamaKvCache, ClearFromZeroesForgottenPositionsOnly) {
    for (uint32_t n_past : {0u, 5u, 16u, 21u, 36u, 37u}) {
        KvCache cache(kLayers, kHeads, kDim, kCtx);
        fill(cache);
        cache.clear_from(n_past);
        for (uint32_t l = 0; l < kLayers; ++l)
            for (uint32_t h = 0; h < kHeads; ++h)
                for (uint32_t p = 0; p < kCtx; ++p)
                    for (uint32_t d = 0; d < kDim; ++d) {
                        const bool kept = p < n_past;
                        ASSERT_EQ(cache.key(l, h, p, d), kept ? tag(l, h, p, d, false) : 0.0f) << n_past << ": " << p;
                        ASSERT_EQ(cache.value(l, h, p)[d], kept ? tag(l, h, p, d, true) : 0.0f) << n_past << ": " << p;
                    }
    }
}

TEST(LlamaKvCache, BytesCoverWholeKeyBlocks) {
    const KvCache cache(kLayers, kHeads, kDim, kCtx);
    const size_t padded = 48;  // 37 positions rounded up to 16
    EXPECT_EQ(cache.bytes(), 2u * kLayers * kHeads * padded * kDim * sizeof(float));
    EXPECT_EQ(KvCache::bytes_for(kLayers, kHeads, kDim, kCtx), cache.bytes());
    EXPECT_EQ(KvCache::bytes_for(1, 1, 4, 32), 2u * 32 * 4 * sizeof(float));
}

}  // namespace
}  // namespace veil::test
