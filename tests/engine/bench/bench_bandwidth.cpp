// Memory read bandwidth of this machine with the benchmark's thread count: each thread sums its
// half of a 1 GiB buffer. This is the denominator of the decode roofline (bytes of weights read
// per token / bandwidth = best possible seconds per token).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "bench_shapes.h"

namespace veil::engine::bench {
namespace {

constexpr size_t kBytes = size_t{1} << 30;

// Four independent 64-bit lanes keep several loads in flight; the compiler vectorises the loop.
uint64_t sum_words(const uint64_t* p, size_t n) {
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        a += p[i];
        b += p[i + 1];
        c += p[i + 2];
        d += p[i + 3];
    }
    return a + b + c + d;
}

void BM_ReadBandwidth(benchmark::State& state) {
    std::vector<uint64_t> buf(kBytes / sizeof(uint64_t));
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = i;  // touch every page before timing
    uint64_t sums[64] = {};
    for (auto _ : state) {
        pool().run([&](int ti, int nt) {
            const size_t per = buf.size() / static_cast<size_t>(nt);
            sums[ti] += sum_words(buf.data() + per * static_cast<size_t>(ti), per);
        });
        benchmark::DoNotOptimize(sums);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(kBytes));
}
BENCHMARK(BM_ReadBandwidth)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace veil::engine::bench
