// One TinyLlama-1.1B-shaped transformer layer (the sequence of llama_forward.cpp's forward_chunk,
// on random weights of one type): decode of one token after a 64-token context, and a 64-token
// prefill chunk. Decode bytes_per_second is the layer's weight bytes per second.
#include <benchmark/benchmark.h>


#include "bench_shapes.h"
#include "veil/engine/llama_attention.h"
#include "veil/engine/llama_kv_cache.h"
#include "veil/engine/llama_ops.h"
#include "veil/engine/matmul.h"

namespace veil::engine::bench {
namespace {

constexpr uint32_t kCtx = 256, kPromptTokens = 64;

struct Layer {
    explicit Layer(GgmlType t)
        : type(t),
          wq(random_matrix(t, kDim, kDim, 1)),
          wk(random_matrix(t, kKvDim, kDim, 2)),
          wv(random_matrix(t, kKvDim, kDim, 3)),
          wo(random_matrix(t, kDim, kDim, 4)),
          gate(random_matrix(t, kFfn, kDim, 5)),
          up(random_matrix(t, kFfn, kDim, 6)),
          down(random_matrix(t, kDim, kFfn, 7)),
          norm(kDim, 1.0f) {
        hp.arch = "llama";
        hp.n_ctx_train = kCtx;
        hp.n_embd = kDim;
        hp.n_layer = 1;
        hp.n_ff = kFfn;
        hp.n_head = 32;
        hp.n_head_kv = 4;
        hp.head_dim = 64;
        hp.n_rot = 64;
    }
    size_t weight_bytes() const {
        return wq.size() + wk.size() + wv.size() + wo.size() + gate.size() + up.size() + down.size();
    }
    GgmlType type;
    LlamaHParams hp;
    std::vector<uint8_t> wq, wk, wv, wo, gate, up, down;
    std::vector<float> norm;
};

struct Activations {
    explicit Activations(uint32_t n)
        : x(n * kDim), xn(n * kDim), q(n * kDim), k(n * kKvDim), v(n * kKvDim), attn(n * kDim), proj(n * kDim),
          g(n * kFfn), u(n * kFfn) {
        std::mt19937 rng(11);
        x = testing::random_floats(n * kDim, rng);
    }
    std::vector<float> x, xn, q, k, v, attn, proj, g, u;
};

void forward(const Layer& L, KvCache& cache, Rope& rope, AttentionScratch& as, MatmulScratch& ms, Activations& a,
             uint32_t pos0, uint32_t n) {
    ThreadPool& p = pool();
    const uint32_t d = kDim, kvd = kKvDim, hd = 64;
    rope.prepare(pos0, n);
    for (uint32_t t = 0; t < n; ++t) rms_norm(&a.x[t * d], L.norm.data(), d, 1e-5f, &a.xn[t * d]);
    matmul(p, plain_matrix(L.type, L.wq.data(), kDim, kDim), a.xn.data(), n, a.q.data(), ms);
    matmul(p, plain_matrix(L.type, L.wk.data(), kKvDim, kDim), a.xn.data(), n, a.k.data(), ms);
    matmul(p, plain_matrix(L.type, L.wv.data(), kKvDim, kDim), a.xn.data(), n, a.v.data(), ms);
    for (uint32_t t = 0; t < n; ++t) {
        rope.apply(&a.q[t * d], 32, t);
        rope.apply(&a.k[t * kvd], 4, t);
        for (uint32_t h = 0; h < 4; ++h) {
            cache.store(0, h, pos0 + t, &a.k[t * kvd + h * hd], &a.v[t * kvd + h * hd]);
        }
    }
    attention(p, L.hp, cache, 0, a.q.data(), n, pos0, a.attn.data(), as);
    matmul(p, plain_matrix(L.type, L.wo.data(), kDim, kDim), a.attn.data(), n, a.proj.data(), ms);
    add_inplace(a.x.data(), a.proj.data(), static_cast<int64_t>(n) * d);
    for (uint32_t t = 0; t < n; ++t) rms_norm(&a.x[t * d], L.norm.data(), d, 1e-5f, &a.xn[t * d]);
    matmul(p, plain_matrix(L.type, L.gate.data(), kFfn, kDim), a.xn.data(), n, a.g.data(), ms);
    matmul(p, plain_matrix(L.type, L.up.data(), kFfn, kDim), a.xn.data(), n, a.u.data(), ms);
    swiglu(a.g.data(), a.u.data(), static_cast<int64_t>(n) * kFfn);
    matmul(p, plain_matrix(L.type, L.down.data(), kDim, kFfn), a.g.data(), n, a.proj.data(), ms);
    add_inplace(a.x.data(), a.proj.data(), static_cast<int64_t>(n) * d);
    // Keep the residual stream bounded across iterations (random weights would blow it up).
    for (uint32_t t = 0; t < n; ++t) rms_norm(&a.x[t * d], L.norm.data(), d, 1e-5f, &a.x[t * d]);
}

template <GgmlType kType>
void BM_LayerDecode(benchmark::State& state) {
    const Layer L(kType);
    KvCache cache(1, 4, 64, kCtx);
    Rope rope(64, 64, 10000.0f, kPromptTokens);
    AttentionScratch as(kThreads, kCtx, L.hp.gqa_group());
    MatmulScratch ms;
    Activations prompt(kPromptTokens), a(1);
    forward(L, cache, rope, as, ms, prompt, 0, kPromptTokens);  // a 64-position context to attend to
    for (auto _ : state) forward(L, cache, rope, as, ms, a, kPromptTokens, 1);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(L.weight_bytes()));
}

template <GgmlType kType>
void BM_LayerPrefill64(benchmark::State& state) {
    const Layer L(kType);
    KvCache cache(1, 4, 64, kCtx);
    Rope rope(64, 64, 10000.0f, kPromptTokens);
    AttentionScratch as(kThreads, kCtx, L.hp.gqa_group());
    MatmulScratch ms;
    Activations a(kPromptTokens);
    for (auto _ : state) forward(L, cache, rope, as, ms, a, 0, kPromptTokens);
    state.counters["tok/s"] =
        benchmark::Counter(static_cast<double>(kPromptTokens) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}

BENCHMARK_TEMPLATE(BM_LayerDecode, GgmlType::Q4_0)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_LayerDecode, GgmlType::Q8_0)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_LayerDecode, GgmlType::Q4_K)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_LayerPrefill64, GgmlType::Q4_0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_LayerPrefill64, GgmlType::Q8_0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_LayerPrefill64, GgmlType::Q4_K)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace veil::engine::bench
