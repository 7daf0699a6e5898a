// A decode pass's worth of weights (600 MB, far beyond any cache) multiplied by one token with 2
// threads, against `veil bench`'s memory probe (core/bench/memory_bandwidth.h) over as many
// bytes: how close the grouped kernels stream to the machine's bandwidth, with no attention, no
// norms and no activations handed from one layer to the next. Two shapes of the same bytes:
// - per_matrix: one region per 5632 x 2048 matrix (~90 regions, decode has 89);
// - one_region: the same rows as one matrix (a single region).
// Q6_K is there as Q4_K_M stores it (attn_v and ffn_down of half the layers, and the output).
// This VM's memory switches between ~50 and ~80 GB/s within minutes, so the variants alternate
// round after round and each is reported as its median ratio to the probe taken just before it
// (counters <type>_per_matrix, <type>_one_region; probe_GBps is the probes' median).
//   build/tests/engine/bench/veil_engine_bench --benchmark_filter=BM_DecodePass
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>

#include "bench/memory_bandwidth.h"
#include "bench/summary.h"
#include "bench_shapes.h"
#include "veil/engine/huge_pages.h"
#include "veil/engine/matmul.h"
#include "veil/engine/row_groups.h"

namespace veil::engine::bench {
namespace {

constexpr size_t kPassBytes = size_t{600} << 20;
constexpr size_t kHugePage = size_t{2} << 20;
constexpr int kRounds = 60;

// A never-freed buffer on huge pages where the kernel grants them (the engine's advise_huge_pages),
// as backend_full holds its weights: 4 KiB pages cost a few percent in TLB misses.
uint8_t* huge_buffer(size_t bytes) {
    bytes = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, bytes);
    if (p == nullptr) throw std::bad_alloc();
    advise_huge_pages(p, bytes);
    std::memset(p, 0x5a, bytes);
    return static_cast<uint8_t*>(p);
}

// ~600 MB of copies of one grouped 5632 x 2048 matrix, as separate matrices and as one.
struct Pass {
    std::vector<WeightMatrix> matrices;
    WeightMatrix whole;
    size_t bytes = 0;
};

const Pass& pass_of(GgmlType type) {
    static std::map<GgmlType, Pass> passes;
    Pass& p = passes[type];
    if (!p.matrices.empty()) return p;
    std::vector<uint8_t> w = random_matrix(type, kFfn, kDim, 7);
    WeightMatrix m = plain_matrix(type, w.data(), kFfn, kDim);
    group_rows(m);  // in place
    const size_t n = kPassBytes / w.size();
    uint8_t* base = huge_buffer(n * w.size());
    for (size_t i = 0; i < n; ++i) {
        std::memcpy(base + i * w.size(), w.data(), w.size());
        WeightMatrix copy = m;
        copy.data = base + i * w.size();
        p.matrices.push_back(copy);
    }
    p.whole = m;
    p.whole.data = base;
    p.whole.rows = kFfn * static_cast<int64_t>(n);  // whole groups back to back form one grouped matrix
    p.bytes = n * w.size();
    return p;
}

void BM_DecodePass(benchmark::State& state) {
    using Clock = std::chrono::steady_clock;
    const GgmlType types[] = {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K};
    std::mt19937 rng(3);
    const std::vector<float> x = testing::random_floats(kDim, rng);
    std::vector<float> y(static_cast<size_t>(pass_of(GgmlType::Q4_0).whole.rows));
    MatmulScratch scratch;
    for (GgmlType t : types) matmul(pool(), pass_of(t).whole, x.data(), 1, y.data(), scratch);  // builds, warms
    std::vector<double> probe_gbps;
    std::map<std::string, std::vector<double>> ratios;
    auto gbps = [](size_t bytes, Clock::time_point t0) {
        return static_cast<double>(bytes) / std::chrono::duration<double>(Clock::now() - t0).count() / 1e9;
    };
    for (auto _ : state) {
        for (int round = 0; round < kRounds; ++round) {
            const double probed = veil::bench::measure_memory_read_bandwidth(kThreads, kPassBytes, 3).bytes_per_s / 1e9;
            probe_gbps.push_back(probed);
            auto t0 = Clock::now();
            for (GgmlType t : types) {
                const Pass& p = pass_of(t);
                const std::string name = type_traits(static_cast<uint32_t>(t))->name;
                t0 = Clock::now();
                for (const WeightMatrix& m : p.matrices) matmul(pool(), m, x.data(), 1, y.data(), scratch);
                ratios[name + "_per_matrix"].push_back(gbps(p.bytes, t0) / probed);
                t0 = Clock::now();
                matmul(pool(), p.whole, x.data(), 1, y.data(), scratch);
                ratios[name + "_one_region"].push_back(gbps(p.bytes, t0) / probed);
            }
        }
    }
    state.counters["probe_GBps"] = veil::bench::median(probe_gbps);
    for (const auto& [name, v] : ratios) state.counters[name] = veil::bench::median(v);
}
BENCHMARK(BM_DecodePass)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
}  // namespace veil::engine::bench
