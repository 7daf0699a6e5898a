// Every SIMD table agrees with the scalar reference for every type on random blocks.
//
// Integer parts of all quantized dot products are exact on every ISA; only the float summation of
// per-block terms differs. Tolerance: |simd - scalar| <= rel * sum_i |w_i * x_i| (dequantized),
// with rel = 1e-5 for the block types (few float terms per row) and 1e-4 for F32/F16/BF16 (the
// scalar reference accumulates in double, SIMD in several float lanes).
#include <gtest/gtest.h>

#include <cmath>

#include "test_kernels_util.h"

namespace veil::engine {
namespace {

using testing::kWeightTypes;

double magnitude(GgmlType wtype, const std::vector<uint8_t>& w, const std::vector<uint8_t>& x, int64_t n) {
    const auto wf = testing::dequantize(wtype, w.data(), n);
    const auto xf = testing::dequantize(testing::traits(wtype).vec_dot_type, x.data(), n);
    double m = 0.0;
    for (int64_t i = 0; i < n; ++i) m += std::fabs(static_cast<double>(wf[i]) * xf[i]);
    return m;
}

void check_table(Isa isa) {
    const KernelTable* simd = kernels_for(isa);
    if (simd == nullptr) GTEST_SKIP() << isa_name(isa) << " not supported on this CPU";
    const KernelTable& ref = *kernels_for(Isa::Scalar);
    std::mt19937 rng(1234);
    for (GgmlType t : kWeightTypes) {
        const auto& tr = testing::traits(t);
        const bool is_float = tr.block_elems == 1;
        const double rel = is_float ? 1e-4 : 1e-5;
        // Several lengths: one block, odd block counts (AVX-512 pairs blocks), float tails.
        const int64_t unit = tr.block_elems == 1 ? 1 : tr.block_elems;
        const int64_t lengths[] = {256, 256 * 3, 4096, unit == 1 ? 77 : unit * 5, unit == 1 ? 1000 : unit * 9};
        for (int64_t n : lengths) {
            if (n % unit != 0) continue;
            for (int rep = 0; rep < 8; ++rep) {
                const auto w = testing::random_row(t, n, rng);
                const auto xf = testing::random_floats(n, rng);
                const auto x = testing::convert_activations(t, xf);
                const float a = ref.vec_dot(t, n, w.data(), x.data());
                const float b = simd->vec_dot(t, n, w.data(), x.data());
                const double tol = rel * magnitude(t, w, x, n) + 1e-6;
                ASSERT_NEAR(a, b, tol) << tr.name << " n=" << n << " isa=" << isa_name(isa);
            }
            // dequantize_row must be identical (same expression shapes on every ISA).
            const auto w = testing::random_row(t, n, rng);
            std::vector<float> da(n), db(n);
            ref.dequantize_row(t, w.data(), da.data(), n);
            simd->dequantize_row(t, w.data(), db.data(), n);
            ASSERT_EQ(0, std::memcmp(da.data(), db.data(), n * sizeof(float))) << tr.name << " dequantize";
        }
    }
    // Activation conversion: byte-identical to the reference for every activation type.
    const GgmlType act[] = {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q8_1, GgmlType::Q8_K};
    for (GgmlType t : act) {
        const int64_t n = 1024;
        const auto xf = testing::random_floats(n, rng);
        std::vector<uint8_t> a(row_bytes(t, n)), b(row_bytes(t, n));
        ref.quantize_row(t, xf.data(), a.data(), n);
        simd->quantize_row(t, xf.data(), b.data(), n);
        ASSERT_EQ(a, b) << testing::traits(t).name;
    }
}

TEST(KernelsSimd, Avx2MatchesScalar) { check_table(Isa::Avx2); }
TEST(KernelsSimd, Avx512MatchesScalar) { check_table(Isa::Avx512); }

TEST(KernelsSimd, BestTableIsUsable) {
    const KernelTable& best = best_kernels();
    EXPECT_EQ(&best, &best_kernels());
    EXPECT_NE(kernels_for(best.isa), nullptr);
}

}  // namespace
}  // namespace veil::engine
