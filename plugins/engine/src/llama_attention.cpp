#include "veil/engine/llama_attention.h"

#include <cmath>
#include <cstring>

#include "attention_kernels.h"
#include "veil/engine/fp16.h"
#include "veil/engine/kernels.h"

namespace veil::engine {
namespace {

// q . key, where key is one lane of a transposed F16 key block (its elements kKeyBlock apart).
float key_dot(const float* q, const uint16_t* key, uint32_t n) {
    constexpr size_t s = KvCache::kKeyBlock;
    // Four partial sums let the compiler keep several FMAs in flight without -ffast-math.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += q[i] * fp16_to_fp32(key[i * s]);
        s1 += q[i + 1] * fp16_to_fp32(key[(i + 1) * s]);
        s2 += q[i + 2] * fp16_to_fp32(key[(i + 2) * s]);
        s3 += q[i + 3] * fp16_to_fp32(key[(i + 3) * s]);
    }
    for (; i < n; ++i) s0 += q[i] * fp16_to_fp32(key[i * s]);
    return (s0 + s1) + (s2 + s3);
}

// Query heads per KV head the SIMD path takes at once (its pointer arrays live on the stack).
constexpr uint32_t kMaxGroup = 64;

// Multiply-adds (per Q.K and P.V pass) below which attention stays on the calling thread.
constexpr uint64_t kMinParallelWork = 1u << 15;

// The SIMD inner loops of one ISA (attention_kernels.h).
struct GroupKernels {
    void (*scores)(const float* const* q, uint32_t n_q, const uint16_t* key_blocks, uint32_t hd, uint32_t n_keys,
                   float scale, float* scores, size_t stride, const uint16_t* values);
    void (*softmax)(float* scores, uint32_t n_keys);
    void (*mix)(const float* p, size_t stride, uint32_t n_q, const uint16_t* values, uint32_t hd, uint32_t n_keys,
                float* const* out);
};

void avx512_softmax(float* scores, uint32_t n_keys) { detail::avx512_attention_softmax(scores, n_keys); }

constexpr GroupKernels kAvx512{detail::avx512_attention_scores_group, avx512_softmax, detail::avx512_attention_mix_group};
constexpr GroupKernels kAvx2{detail::avx2_attention_scores_group, detail::avx2_attention_softmax,
                             detail::avx2_attention_mix_group};

// The SIMD path for this CPU's kernel table and these heads, or nullptr for the portable one.
const GroupKernels* group_kernels_for(const LlamaHParams& hp) {
    if (hp.gqa_group() > kMaxGroup || hp.head_dim > detail::kMaxMixHeadDim) return nullptr;
    switch (best_kernels().isa) {
        case Isa::Avx512: return hp.head_dim % 16 == 0 ? &kAvx512 : nullptr;
        case Isa::Avx2: return hp.head_dim % 8 == 0 ? &kAvx2 : nullptr;
        default: return nullptr;
    }
}

// RoPE on the queries of KV head kvh's group and on its key, for new row t, then the row's key and
// value of that head into the cache: everything the work unit (kvh, t) needs that the projections
// did not produce.
void prepare_unit(const LlamaHParams& hp, KvCache& cache, uint32_t layer, const NewRows& rows, uint32_t pos0,
                  uint32_t kvh, uint32_t t) {
    const uint32_t hd = hp.head_dim, group = hp.gqa_group();
    float* k = rows.k + static_cast<size_t>(t) * hp.kv_dim() + static_cast<size_t>(kvh) * hd;
    rows.rope->apply(k, 1, rows.rope_t0 + t);
    cache.store(layer, kvh, pos0 + t, k, rows.v + static_cast<size_t>(t) * hp.kv_dim() + static_cast<size_t>(kvh) * hd);
    rows.rope->apply(rows.q + static_cast<size_t>(t) * hp.q_dim() + static_cast<size_t>(kvh) * group * hd, group,
                     rows.rope_t0 + t);
}

// Everything one parallel region needs; the pool gets a pointer to it (no allocation per call).
struct Job {
    const LlamaHParams& hp;
    const KvCache& cache;
    uint32_t layer;
    const float* q;
    uint32_t n_tokens;
    uint32_t pos0;
    float* out;
    AttentionScratch& scratch;
    const GroupKernels* simd;  // SIMD path (run_groups_simd), or nullptr; per run, every head takes the same path
    // New rows each unit prepares (prepare_unit) before attending, or nullptr when the cache
    // already holds them; set only where a thread's units cover whole KV heads (units_own_kv_heads).
    const NewRows* fresh = nullptr;
    KvCache* fresh_cache = nullptr;  // the same cache as `cache`, writable, when `fresh` is set
};

// Whether each (KV head, token) unit of run_groups_simd runs on the thread that runs the same
// head's units at earlier tokens, whose keys and values it reads: with one token each head is one
// unit; with several, units go round-robin over the threads with the KV head varying fastest, so
// one thread, or a KV head count that the threads divide.
bool units_own_kv_heads(const LlamaHParams& hp, uint32_t n_tokens, int n_threads) {
    return n_tokens == 1 || n_threads == 1 || hp.n_head_kv % static_cast<uint32_t>(n_threads) == 0;
}

// The SIMD path: work units are (KV head, token); the query heads of the unit's KV group are
// computed together, so each block of cached keys and values is read from memory once for all of
// them instead of once per query head (8 times for TinyLlama's 32 / 4 heads).
void run_groups_simd(const Job& job, int thread, int n_threads) {
    const LlamaHParams& hp = job.hp;
    const uint32_t hd = hp.head_dim, group = hp.gqa_group();
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    float* scores = job.scratch.scores(thread);
    const size_t stride = job.scratch.n_ctx();
    const float* q[kMaxGroup];
    float* out[kMaxGroup];
    const uint32_t units = hp.n_head_kv * job.n_tokens, nt = static_cast<uint32_t>(n_threads), ti = static_cast<uint32_t>(thread);
    // Decode: a contiguous run of KV heads per thread, whose query rows the same thread's share
    // of the QKV product mostly wrote (every line the other thread wrote is a cross-core
    // transfer). Prefill: round robin, which spreads the short and long causal spans of the
    // tokens over the threads.
    const bool decode = job.n_tokens == 1;
    const uint32_t first = decode ? units * ti / nt : ti, end = decode ? units * (ti + 1) / nt : units, step = decode ? 1 : nt;
    for (uint32_t u = first; u < end; u += step) {
        const uint32_t kvh = u % hp.n_head_kv, t = u / hp.n_head_kv;
        const uint32_t n_keys = job.pos0 + t + 1;  // causal: this position and every earlier one
        if (job.fresh != nullptr) prepare_unit(hp, *job.fresh_cache, job.layer, *job.fresh, job.pos0, kvh, t);
        for (uint32_t i = 0; i < group; ++i) {
            const size_t head = static_cast<size_t>(kvh) * group + i;
            q[i] = job.q + static_cast<size_t>(t) * hp.q_dim() + head * hd;
            out[i] = job.out + static_cast<size_t>(t) * hp.q_dim() + head * hd;
        }
        const uint16_t* values = job.cache.value(job.layer, kvh, 0);
        const GroupKernels& k = *job.simd;
        k.scores(q, group, job.cache.key_block(job.layer, kvh, 0), hd, n_keys, scale, scores, stride, values);
        for (uint32_t i = 0; i < group; ++i) k.softmax(scores + i * stride, n_keys);
        k.mix(scores, stride, group, values, hd, n_keys, out);
    }
}

void run_heads(const Job& job, int thread, int n_threads) {
    if (job.simd != nullptr) return run_groups_simd(job, thread, n_threads);
    const LlamaHParams& hp = job.hp;
    const uint32_t hd = hp.head_dim;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    float* scores = job.scratch.scores(thread);

    for (uint32_t h = static_cast<uint32_t>(thread); h < hp.n_head; h += static_cast<uint32_t>(n_threads)) {
        const uint32_t kvh = h / hp.gqa_group();
        const uint16_t* values = job.cache.value(job.layer, kvh, 0);
        for (uint32_t t = 0; t < job.n_tokens; ++t) {
            const float* qh = job.q + static_cast<size_t>(t) * hp.q_dim() + static_cast<size_t>(h) * hd;
            float* oh = job.out + static_cast<size_t>(t) * hp.q_dim() + static_cast<size_t>(h) * hd;
            const uint32_t n_keys = job.pos0 + t + 1;  // causal: this position and every earlier one

            float max_s = -INFINITY;
            for (uint32_t j = 0; j < n_keys; ++j) {
                const uint16_t* key = job.cache.key_block(job.layer, kvh, j / KvCache::kKeyBlock) + j % KvCache::kKeyBlock;
                scores[j] = key_dot(qh, key, hd) * scale;
                if (scores[j] > max_s) max_s = scores[j];
            }
            float sum = 0.0f;
            for (uint32_t j = 0; j < n_keys; ++j) {
                scores[j] = std::exp(scores[j] - max_s);
                sum += scores[j];
            }
            const float inv_sum = 1.0f / sum;
            for (uint32_t j = 0; j < n_keys; ++j) scores[j] *= inv_sum;  // probabilities

            std::memset(oh, 0, hd * sizeof(float));
            for (uint32_t j = 0; j < n_keys; ++j) {
                const float p = scores[j];
                const uint16_t* vj = values + static_cast<size_t>(j) * hd;
                for (uint32_t i = 0; i < hd; ++i) oh[i] += p * fp16_to_fp32(vj[i]);
            }
        }
    }
}

// Waking the workers costs microseconds; a short context is cheaper on the calling thread. Each
// head is computed the same way either way, so the result does not depend on this.
int threads_for(ThreadPool& pool, const LlamaHParams& hp, uint32_t n_tokens, uint32_t pos0) {
    const uint64_t work = static_cast<uint64_t>(n_tokens) * (pos0 + n_tokens) * hp.q_dim();
    return work < kMinParallelWork ? 1 : pool.size();
}

void run(ThreadPool& pool, const Job& job, int n_threads) {
    if (n_threads == 1) return run_heads(job, 0, 1);
    pool.run([&job](int thread, int n) { run_heads(job, thread, n); });
}

}  // namespace

void attention(ThreadPool& pool, const LlamaHParams& hp, const KvCache& cache, uint32_t layer, const float* q,
               uint32_t n_tokens, uint32_t pos0, float* out, AttentionScratch& scratch) {
    const Job job{hp, cache, layer, q, n_tokens, pos0, out, scratch, group_kernels_for(hp)};
    run(pool, job, threads_for(pool, hp, n_tokens, pos0));
}

void attend_new_rows(ThreadPool& pool, const LlamaHParams& hp, KvCache& cache, uint32_t layer, const NewRows& rows,
                     uint32_t n_tokens, uint32_t pos0, float* out, AttentionScratch& scratch) {
    Job job{hp, cache, layer, rows.q, n_tokens, pos0, out, scratch, group_kernels_for(hp)};
    const int n_threads = threads_for(pool, hp, n_tokens, pos0);
    if (job.simd != nullptr && units_own_kv_heads(hp, n_tokens, n_threads)) {
        job.fresh = &rows;
        job.fresh_cache = &cache;
    } else {
        for (uint32_t t = 0; t < n_tokens; ++t)
            for (uint32_t kvh = 0; kvh < hp.n_head_kv; ++kvh) prepare_unit(hp, cache, layer, rows, pos0, kvh, t);
    }
    run(pool, job, n_threads);
}

}  // namespace veil::engine
