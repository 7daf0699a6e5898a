// Causal grouped-query attention over the KV cache, against a double-precision reference: decode
// and prefill, positions inside and across key blocks, KV groups larger than the SIMD paths' 8
// heads at a time, head sizes they do not take, and one thread against two. The suite runs again
// under VEIL_ISA=avx2 and VEIL_ISA=scalar, which take the AVX2 and the portable paths (see
// CMakeLists.txt).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "veil/engine/fp16.h"
#include "veil/engine/llama_attention.h"

namespace veil::test {
namespace {

using engine::KvCache;
using engine::LlamaHParams;

LlamaHParams shape(uint32_t n_head, uint32_t n_head_kv, uint32_t head_dim) {
    LlamaHParams hp;
    hp.n_head = n_head;
    hp.n_head_kv = n_head_kv;
    hp.head_dim = head_dim;
    hp.n_embd = n_head * head_dim;
    hp.n_layer = 2;
    return hp;
}

struct Case {
    LlamaHParams hp;
    uint32_t n_ctx, pos0, n_tokens;
};

// Fills both layers' cache up to pos0 + n_tokens and the queries with values in [-1, 1).
struct Inputs {
    explicit Inputs(const Case& c) : cache(c.hp.n_layer, c.hp.n_head_kv, c.hp.head_dim, c.n_ctx) {
        std::mt19937 rng(c.pos0 * 31 + c.n_tokens + c.hp.n_head);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        const uint32_t hd = c.hp.head_dim;
        keys.resize(size_t{c.hp.n_layer} * c.hp.n_head_kv * (c.pos0 + c.n_tokens) * hd);
        values.resize(keys.size());
        for (float& x : keys) x = u(rng);
        for (float& x : values) x = u(rng);
        for (uint32_t l = 0; l < c.hp.n_layer; ++l)
            for (uint32_t h = 0; h < c.hp.n_head_kv; ++h)
                for (uint32_t p = 0; p < c.pos0 + c.n_tokens; ++p) cache.store(l, h, p, key(c, l, h, p), value(c, l, h, p));
        q.resize(size_t{c.n_tokens} * c.hp.q_dim());
        for (float& x : q) x = 2.0f * u(rng);
    }
    size_t at(const Case& c, uint32_t l, uint32_t h, uint32_t p) const {
        return ((size_t{l} * c.hp.n_head_kv + h) * (c.pos0 + c.n_tokens) + p) * c.hp.head_dim;
    }
    const float* key(const Case& c, uint32_t l, uint32_t h, uint32_t p) const { return keys.data() + at(c, l, h, p); }
    const float* value(const Case& c, uint32_t l, uint32_t h, uint32_t p) const { return values.data() + at(c, l, h, p); }

    KvCache cache;
    std::vector<float> keys, values, q;
};

// From the cache's own (F16) keys and values, so that only the attention arithmetic is compared.
std::vector<double> reference(const Case& c, const Inputs& in, uint32_t layer) {
    const LlamaHParams& hp = c.hp;
    const uint32_t hd = hp.head_dim;
    std::vector<double> out(size_t{c.n_tokens} * hp.q_dim());
    for (uint32_t t = 0; t < c.n_tokens; ++t)
        for (uint32_t h = 0; h < hp.n_head; ++h) {
            const uint32_t kvh = h / hp.gqa_group(), n_keys = c.pos0 + t + 1;
            const float* qh = in.q.data() + size_t{t} * hp.q_dim() + size_t{h} * hd;
            std::vector<double> s(n_keys);
            double max_s = -INFINITY, sum = 0;
            for (uint32_t j = 0; j < n_keys; ++j) {
                double dot = 0;
                for (uint32_t d = 0; d < hd; ++d) dot += double{qh[d]} * in.cache.key(layer, kvh, j, d);
                s[j] = dot / std::sqrt(double(hd));
                max_s = std::max(max_s, s[j]);
            }
            for (double& x : s) sum += (x = std::exp(x - max_s));
            for (uint32_t j = 0; j < n_keys; ++j)
                for (uint32_t d = 0; d < hd; ++d)
                    out[size_t{t} * hp.q_dim() + size_t{h} * hd + d] +=
                        s[j] / sum * engine::fp16_to_fp32(in.cache.value(layer, kvh, j)[d]);
        }
    return out;
}

std::vector<float> run(const Case& c, const Inputs& in, uint32_t layer, int threads) {
    engine::ThreadPool pool(threads);
    engine::AttentionScratch scratch(threads, c.n_ctx, c.hp.gqa_group());
    std::vector<float> out(size_t{c.n_tokens} * c.hp.q_dim(), NAN);
    engine::attention(pool, c.hp, in.cache, layer, in.q.data(), c.n_tokens, c.pos0, out.data(), scratch);
    return out;
}

void expect_matches_reference(const Case& c) {
    const Inputs in(c);
    for (uint32_t layer = 0; layer < c.hp.n_layer; ++layer) {
        const std::vector<double> want = reference(c, in, layer);
        const std::vector<float> one = run(c, in, layer, 1), two = run(c, in, layer, 2);
        for (size_t i = 0; i < want.size(); ++i) {
            ASSERT_NEAR(one[i], want[i], 2e-5) << "layer " << layer << ", output " << i;
            ASSERT_EQ(one[i], two[i]) << "layer " << layer << ", output " << i << ": two threads differ from one";
        }
    }
}

TEST(LlamaAttention, DecodeAtPositionsInAndAcrossKeyBlocks) {
    for (uint32_t pos0 : {0u, 1u, 15u, 16u, 17u, 40u, 200u})
        expect_matches_reference({shape(8, 2, 64), 256, pos0, 1});
}

TEST(LlamaAttention, PrefillCrossingKeyBlocks) {
    expect_matches_reference({shape(8, 2, 64), 64, 0, 23});
    expect_matches_reference({shape(8, 2, 64), 64, 10, 9});
}

TEST(LlamaAttention, KvGroupsOfMoreThanEightHeads) {
    expect_matches_reference({shape(20, 2, 32), 128, 70, 1});  // 10 query heads per KV head
    expect_matches_reference({shape(12, 4, 16), 64, 5, 3});    // 3 per KV head
}

TEST(LlamaAttention, PlainMultiHeadAttention) { expect_matches_reference({shape(4, 4, 32), 64, 33, 2}); }

TEST(LlamaAttention, HeadSizesNotAMultipleOfSixteenOrEight) {
    expect_matches_reference({shape(4, 2, 24), 64, 20, 1});  // AVX-512: portable path; AVX2: its own
    expect_matches_reference({shape(4, 2, 12), 64, 20, 3});  // portable path everywhere
}

TEST(LlamaAttention, HeadSizeOf128) { expect_matches_reference({shape(8, 2, 128), 64, 25, 2}); }

TEST(LlamaAttention, ContextNotAMultipleOfTheKeyBlock) { expect_matches_reference({shape(8, 2, 64), 37, 30, 7}); }

// attend_new_rows rotates, stores and attends in one call — inside the parallel region where each
// thread's units cover whole KV heads — and must equal the three steps done one after another:
// the same outputs, bit for bit, and the same keys and values in the cache.
void expect_new_rows_equal_the_steps(const Case& c, int threads) {
    const LlamaHParams& hp = c.hp;
    const uint32_t hd = hp.head_dim, layer = 1;
    std::mt19937 rng(c.pos0 + 7 * c.n_tokens);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> q(size_t{c.n_tokens} * hp.q_dim()), k(size_t{c.n_tokens} * hp.kv_dim()), v(k.size());
    for (std::vector<float>* x : {&q, &k, &v})
        for (float& e : *x) e = u(rng);
    engine::Rope rope(hd, hd, 10000.0f, c.n_tokens);
    rope.prepare(c.pos0, c.n_tokens);

    // The cache also holds other values at the new positions (Inputs fills them), which a missing
    // write would leave in place.
    Inputs steps(c), fused(c);
    std::vector<float> q_steps = q, k_steps = k;
    for (uint32_t t = 0; t < c.n_tokens; ++t) {
        rope.apply(q_steps.data() + size_t{t} * hp.q_dim(), hp.n_head, t);
        rope.apply(k_steps.data() + size_t{t} * hp.kv_dim(), hp.n_head_kv, t);
        for (uint32_t h = 0; h < hp.n_head_kv; ++h)
            steps.cache.store(layer, h, c.pos0 + t, k_steps.data() + size_t{t} * hp.kv_dim() + size_t{h} * hd,
                              v.data() + size_t{t} * hp.kv_dim() + size_t{h} * hd);
    }
    std::vector<float> want(q.size(), NAN), got(q.size(), NAN);
    {
        engine::ThreadPool pool(1);
        engine::AttentionScratch scratch(1, c.n_ctx, hp.gqa_group());
        engine::attention(pool, hp, steps.cache, layer, q_steps.data(), c.n_tokens, c.pos0, want.data(), scratch);
    }
    engine::ThreadPool pool(threads);
    engine::AttentionScratch scratch(threads, c.n_ctx, hp.gqa_group());
    const engine::NewRows rows{q.data(), k.data(), v.data(), &rope, 0};
    engine::attend_new_rows(pool, hp, fused.cache, layer, rows, c.n_tokens, c.pos0, got.data(), scratch);

    for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << "output " << i << ", " << threads << " threads";
    for (uint32_t h = 0; h < hp.n_head_kv; ++h)
        for (uint32_t p = c.pos0; p < c.pos0 + c.n_tokens; ++p)
            for (uint32_t d = 0; d < hd; ++d) {
                ASSERT_EQ(fused.cache.key(layer, h, p, d), steps.cache.key(layer, h, p, d)) << "key " << h << "/" << p << "/" << d;
                ASSERT_EQ(fused.cache.value(layer, h, p)[d], steps.cache.value(layer, h, p)[d]) << "value " << h << "/" << p;
            }
}

TEST(LlamaAttention, NewRowsEqualRopeThenStoreThenAttend) {
    for (int threads : {1, 2}) {
        expect_new_rows_equal_the_steps({shape(8, 2, 64), 256, 100, 1}, threads);  // decode, parallel region
        expect_new_rows_equal_the_steps({shape(8, 2, 64), 256, 3, 1}, threads);    // decode, short: one thread
        expect_new_rows_equal_the_steps({shape(8, 2, 64), 64, 10, 9}, threads);    // prefill, 2 KV heads
        expect_new_rows_equal_the_steps({shape(12, 3, 16), 128, 60, 5}, threads);  // 3 KV heads: stores first
    }
}

}  // namespace
}  // namespace veil::test
