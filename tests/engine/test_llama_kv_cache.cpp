// The KV cache's layout (F16; keys in transposed blocks of 16 positions, values row by row), its
// rounding, and its rewind, which must leave no forgotten plaintext behind.
#include <gtest/gtest.h>

#include <vector>

#include "veil/engine/fp16.h"
#include "veil/engine/llama_kv_cache.h"

namespace veil::test {
namespace {

using engine::KvCache;

// 3 layers, 2 KV heads, head_dim 5, a context of 37 positions: two full key blocks and a partial one.
constexpr uint32_t kLayers = 3, kHeads = 2, kDim = 5, kCtx = 37;

// A value no two (layer, head, position, element, key or value) share, exact in F16 (integers
// below 2048): keys positive, values negative.
float tag(uint32_t l, uint32_t h, uint32_t p, uint32_t d, bool value) {
    const float id = static_cast<float>(((l * kHeads + h) * kCtx + p) * kDim + d);
    return value ? -1.0f - id : id;
}

float value_at(const KvCache& cache, uint32_t l, uint32_t h, uint32_t p, uint32_t d) {
    return engine::fp16_to_fp32(cache.value(l, h, p)[d]);
}

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
                    ASSERT_EQ(value_at(cache, l, h, p, d), tag(l, h, p, d, true)) << l << "/" << h << "/" << p << "/" << d;
                }
}

TEST(LlamaKvCache, KeyBlocksHoldSixteenPositionsElementByElement) {
    KvCache cache(kLayers, kHeads, kDim, kCtx);
    fill(cache);
    const uint16_t* block = cache.key_block(1, 1, 2);  // positions 32 .. 47, of which 32 .. 36 exist
    for (uint32_t d = 0; d < kDim; ++d)
        for (uint32_t lane = 0; lane < KvCache::kKeyBlock; ++lane) {
            const uint32_t p = 32 + lane;
            EXPECT_EQ(engine::fp16_to_fp32(block[d * KvCache::kKeyBlock + lane]), p < kCtx ? tag(1, 1, p, d, false) : 0.0f)
                << d << "/" << lane;
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
                        ASSERT_EQ(value_at(cache, l, h, p, d), kept ? tag(l, h, p, d, true) : 0.0f) << n_past << ": " << p;
                    }
    }
}

TEST(LlamaKvCache, BytesCoverWholeKeyBlocks) {
    const KvCache cache(kLayers, kHeads, kDim, kCtx);
    const size_t padded = 48;  // 37 positions rounded up to 16
    EXPECT_EQ(cache.bytes(), 2u * kLayers * kHeads * padded * kDim * sizeof(uint16_t));
    EXPECT_EQ(KvCache::bytes_for(kLayers, kHeads, kDim, kCtx), cache.bytes());
    EXPECT_EQ(KvCache::bytes_for(1, 1, 4, 32), 2u * 32 * 4 * sizeof(uint16_t));
}

// Stored values are rounded to the nearest F16 (ties to even), as ggml and F16C round.
TEST(LlamaKvCache, StoresRoundToNearestHalf) {
    KvCache cache(1, 1, 4, 16);
    // Ties at 1 (F16 spacing 2^-10) go to the even neighbour: down, then up; then overflow, underflow.
    const float key[4] = {1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048, 70000.0f, -1e-8f};
    const float value[4] = {0.1f, -2.5f, 65504.0f, 1.0f / 3};
    cache.store(0, 0, 3, key, value);
    for (uint32_t d = 0; d < 4; ++d) {
        EXPECT_EQ(cache.key(0, 0, 3, d), engine::fp16_to_fp32(engine::fp32_to_fp16(key[d]))) << d;
        EXPECT_EQ(value_at(cache, 0, 0, 3, d), engine::fp16_to_fp32(engine::fp32_to_fp16(value[d]))) << d;
    }
    EXPECT_EQ(cache.key(0, 0, 3, 0), 1.0f);
    EXPECT_EQ(cache.key(0, 0, 3, 1), 1.0f + 1.0f / 512);
}

}  // namespace
}  // namespace veil::test
