// Element-wise ops of the forward pass.
#include "veil/engine/llama_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace veil::engine {
namespace {

std::vector<float> random_floats(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 3.0f);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

TEST(Swiglu, MatchesLibmWithinAFewUlp) {
    std::vector<float> g = random_floats(1000, 1), u = random_floats(1000, 2);
    std::vector<float> expect(g.size());
    for (size_t i = 0; i < g.size(); ++i) expect[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
    swiglu(g.data(), u.data(), static_cast<int64_t>(g.size()));
    for (size_t i = 0; i < g.size(); ++i)
        EXPECT_NEAR(g[i], expect[i], 4e-7f * std::fabs(expect[i]) + 1e-30f) << i;
}

// Rows stacked for a batch of sessions must each come out as that row alone would, whatever the
// row width's alignment to the SIMD lanes (stories260K's n_ff is 172).
TEST(Swiglu, StackedRowsEqualEachRowAloneBitForBit) {
    for (int64_t width : {172, 16, 5, 33}) {
        const int rows = 3;
        const std::vector<float> g0 = random_floats(static_cast<size_t>(width * rows), 3);
        const std::vector<float> u = random_floats(static_cast<size_t>(width * rows), 4);
        std::vector<float> stacked = g0;
        swiglu(stacked.data(), u.data(), width * rows);
        for (int r = 0; r < rows; ++r) {
            std::vector<float> alone(g0.begin() + r * width, g0.begin() + (r + 1) * width);
            swiglu(alone.data(), u.data() + r * width, width);
            EXPECT_EQ(0, std::memcmp(alone.data(), stacked.data() + r * width, alone.size() * sizeof(float)))
                << "width " << width << " row " << r;
        }
    }
}

// The norm's definition as the engine documents it: squares summed in double in eight lanes
// (element i into lane i % 8), the lanes added pairwise, then x * scale * w in float. The AVX-512
// path must round exactly so (backend_stream and backend_full, and CPUs with and without
// AVX-512, give the same logits); the suite runs again under VEIL_ISA=scalar.
std::vector<float> rms_norm_definition(const std::vector<float>& x, const std::vector<float>& w, float eps) {
    double part[8] = {};
    for (size_t i = 0; i < x.size(); ++i) part[i % 8] += static_cast<double>(x[i]) * x[i];
    const double ss = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(x.size()) + eps));
    std::vector<float> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] * scale * w[i];
    return out;
}

TEST(RmsNorm, EqualsItsDefinitionBitForBit) {
    for (int64_t width : {2048, 5632, 172, 33, 16, 8, 5, 1}) {
        const std::vector<float> x = random_floats(static_cast<size_t>(width), 5), w = random_floats(static_cast<size_t>(width), 6);
        const std::vector<float> want = rms_norm_definition(x, w, 1e-5f);
        std::vector<float> got(x.size(), NAN);
        rms_norm(x.data(), w.data(), width, 1e-5f, got.data());
        EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float))) << "width " << width;
    }
}

}  // namespace
}  // namespace veil::engine
