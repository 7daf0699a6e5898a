// Steady-state decoding must not touch the heap: every buffer is sized when the session is
// created. Counted by replacing the global operator new in this test binary (transparent for
// every other test: it only counts while a LlamaAlloc test switches counting on).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "test_llama_support.h"
#include "veil/engine/kernels.h"
#include "veil/engine/llama_forward.h"
#include "veil/engine/matmul.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
    if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
// GCC cannot see that these frees pair with the malloc in the replaced operator new above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace veil::test {
namespace {

struct Model {
    explicit Model(const char* file, int threads)
        : gguf(open_gguf(testdata_dir() / "models" / file)), tensors(*gguf->abi()),
          model(*gguf->abi(), [this](size_t i) { return tensors.data(i); }, threads) {}
    std::unique_ptr<GgufModelSource> gguf;
    OwnedTensors tensors;
    engine::LlamaModel model;
};

// Heap allocations made by one matmul call of n_tokens after warm-up (the scratch is sized).
size_t allocations_per_matmul(engine::LlamaModel& model, int64_t n_tokens) {
    const engine::WeightMatrix& w = model.weights().layers[0].wq;
    std::vector<float> x(static_cast<size_t>(w.cols * n_tokens), 0.5f), y(static_cast<size_t>(w.rows * n_tokens));
    engine::MatmulScratch scratch;
    engine::matmul(model.pool(), w, x.data(), n_tokens, y.data(), scratch);
    g_allocations = 0;
    g_counting = true;
    engine::matmul(model.pool(), w, x.data(), n_tokens, y.data(), scratch);
    g_counting = false;
    return g_allocations.load();
}

// matmul hands its parallel regions to the pool as a function pointer and a stack context, so
// neither decode nor prefill calls touch the heap once the scratch is sized.
TEST(LlamaAlloc, MatmulAllocatesNothing) {
    for (const char* file : {"stories260K.gguf", "synth-d256-Q4_K_M.gguf", "synth-d256-Q4_0.gguf"}) {
        Model m(file, 2);
        EXPECT_EQ(allocations_per_matmul(m.model, 1), 0u) << file << " decode";
        EXPECT_EQ(allocations_per_matmul(m.model, 13), 0u) << file << " prefill";
    }
}

TEST(LlamaAlloc, DecodeStepsAllocateNothing) {
    for (const char* file : {"stories260K.gguf", "synth-d256-Q4_K_M.gguf"}) {
        Model m(file, 2);  // two threads: the workers' side of each parallel region is counted too
        engine::LlamaSession s(m.model, 256);
        std::vector<float> logits(m.model.hparams().n_vocab);
        const int32_t prompt[5] = {1, 403, 407, 261, 378};
        s.eval(prompt, 5, logits.data());
        int32_t tok = argmax(logits.data(), logits.size());
        s.eval(&tok, 1, logits.data());  // first decode step may size the matmul scratch

        const int steps = 4;
        g_allocations = 0;
        g_counting = true;
        for (int i = 0; i < steps; ++i) {
            tok = argmax(logits.data(), logits.size());
            s.eval(&tok, 1, logits.data());
        }
        g_counting = false;
        const size_t total = g_allocations.load();

        std::printf("[alloc] %-24s %zu heap allocations in %d decode steps\n", file, total, steps);
        EXPECT_EQ(total, 0u) << file << ": decoding allocates";
    }
}

// Not a pass/fail check: prints decode throughput so it can be reported.
TEST(LlamaAlloc, DecodeThroughputReport) {
    for (const char* file : {"stories260K.gguf", "synth-d256-Q4_K_M.gguf"}) {
        for (int threads : {1, 2}) {
            Model m(file, threads);
            engine::LlamaSession s(m.model, 512);
            std::vector<float> logits(m.model.hparams().n_vocab);
            const int32_t prompt[5] = {1, 403, 407, 261, 378};
            s.eval(prompt, 5, logits.data());
            const int n = 64;
            auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < n; ++i) {
                int32_t tok = argmax(logits.data(), logits.size());
                s.eval(&tok, 1, logits.data());
            }
            double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("[speed] %-24s %d thread(s) isa %s: %.0f tok/s decode (%d tokens)\n", file, threads,
                        engine::isa_name(engine::best_kernels().isa), n / sec, n);
        }
    }
}

}  // namespace
}  // namespace veil::test
