// Grouped kernels (group_kernels.h): the scalar reference computes the dot products the plain
// format defines, and every SIMD kernel this CPU runs reproduces the reference bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "test_group_kernels_util.h"

namespace veil::engine {
namespace {

using detail::GroupKernel;

const GgmlType kGroupedTypes[] = {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q6_K};

bool is_k_type(GgmlType t) { return testing::traits(t).block_elems == 256; }

constexpr size_t kOutStride = 19;  // > 16: a kernel must write its 16 lanes and nothing else
const float kUntouched = std::numeric_limits<float>::quiet_NaN();

// out[t * kOutStride + i] for i < 16 and t < n_x; the rest stays kUntouched.
std::vector<float> run(const GroupKernel& k, int64_t cols, const uint8_t* group, const testing::GroupActivations& x,
                       int n_x) {
    std::vector<float> out(kOutStride * static_cast<size_t>(n_x), kUntouched);
    k.dot(cols, group, x.base, x.stride, x.side_off, n_x, out.data(), kOutStride);
    return out;
}

// (a) The reference reads the layout as the plain format means it: its result for (row, token) is
// sum_j dequantized weight * dequantized activation. Only float rounding separates them (per-block
// scale products and the accumulation), so the bound is a small multiple of float epsilon times
// sum_j |w_j * x_j| (summed in float64 here).
TEST(GroupKernels, ReferenceEqualsDequantizedDotProduct) {
    std::mt19937 rng(77);
    for (GgmlType type : kGroupedTypes) {
        const GroupKernel ref = detail::scalar_group_kernel(type);
        ASSERT_NE(ref.dot, nullptr) << testing::traits(type).name;
        const std::vector<int64_t> col_counts =
            is_k_type(type) ? std::vector<int64_t>{256, 768, 4096} : std::vector<int64_t>{32, 96, 4096};
        for (int64_t cols : col_counts) {
            const auto plain = testing::random_rows(type, kRowGroup, cols, rng);
            const testing::GroupedRows group(type, plain, cols, 0);
            const testing::GroupActivations x(type, ref, testing::random_activation_rows(3, cols, rng), cols);
            const auto out = run(ref, cols, group.bytes, x, 3);
            const size_t stride = row_bytes(type, cols);
            for (int64_t i = 0; i < kRowGroup; ++i) {
                const auto w = testing::dequantize(type, plain.data() + static_cast<size_t>(i) * stride, cols);
                for (size_t t = 0; t < 3; ++t) {
                    double dot = 0.0, mag = 0.0;
                    for (int64_t j = 0; j < cols; ++j) {
                        dot += static_cast<double>(w[j]) * x.dequantized[t][j];
                        mag += std::fabs(static_cast<double>(w[j]) * x.dequantized[t][j]);
                    }
                    ASSERT_NEAR(out[t * kOutStride + i], dot, 1e-5 * mag + 1e-7)
                        << testing::traits(type).name << " cols=" << cols << " row " << i << " token " << t;
                }
            }
            for (size_t t = 0; t < 3; ++t)
                for (size_t i = kRowGroup; i < kOutStride; ++i) ASSERT_TRUE(std::isnan(out[t * kOutStride + i]));
        }
    }
}

// The SIMD tables under test, each only where this CPU has its instructions (calling into an
// AVX-512 translation unit elsewhere could execute instructions the CPU lacks).
struct SimdTable {
    Isa isa;
    GroupKernel (*kernel)(GgmlType);
};
const SimdTable kSimdTables[] = {{Isa::Avx2, detail::avx2_group_kernel},
                                  {Isa::Avx512, detail::avx512_group_kernel},
                                  {Isa::Avx512, detail::avx512_group_kernel_without_gfni}};

// 16 rows whose quant (and 6-bit scale) bytes are all `fill`: extreme products that overflow
// 16-bit intermediate sums if a kernel adds too many before widening. d fields stay valid fp16.
std::vector<uint8_t> filled_rows(GgmlType type, int64_t cols, uint8_t fill, std::mt19937& rng) {
    auto rows = testing::random_rows(type, kRowGroup, cols, rng);
    const size_t block = testing::traits(type).block_bytes;
    size_t from = 0, to = block;  // bytes of each block to fill
    switch (type) {
        case GgmlType::Q4_0:
        case GgmlType::Q8_0: from = 2; break;
        case GgmlType::Q4_K: from = 4; break;
        case GgmlType::Q6_K: to = 208; break;
        default: break;
    }
    for (size_t b = 0; b < rows.size(); b += block)
        for (size_t k = from; k < to; ++k) rows[b + k] = fill;
    return rows;
}

// Activations that quantize to +-127 everywhere (sign pattern chosen by `pattern`).
std::vector<std::vector<float>> extreme_activation_rows(int n_x, int64_t cols, int pattern) {
    std::vector<std::vector<float>> rows(static_cast<size_t>(n_x), std::vector<float>(static_cast<size_t>(cols)));
    for (int t = 0; t < n_x; ++t)
        for (int64_t j = 0; j < cols; ++j)
            rows[t][j] = (pattern == 0 || ((j + t) / (pattern)) % 2 == 0) ? 1.0f : -1.0f;
    return rows;
}

// One weight group against 9 activation rows, the kernel called with n_x = 1..9 on the leading
// rows: every (row, token) equals the reference bit for bit, and nothing past lane 15 is written.
void expect_bitwise(const SimdTable& table, GgmlType type, int64_t cols, const std::vector<uint8_t>& plain,
                    const std::vector<std::vector<float>>& act, size_t misalign, const std::string& what) {
    const GroupKernel ref = detail::scalar_group_kernel(type);
    const GroupKernel simd = table.kernel(type);
    const testing::GroupedRows group(type, plain, cols, misalign);
    const testing::GroupActivations xr(type, ref, act, cols);
    const testing::GroupActivations xs(type, simd, act, cols);
    // Side data is part of the contract: same size and bytes from either implementation.
    ASSERT_EQ(ref.side_bytes(cols), simd.side_bytes(cols)) << what;
    for (size_t t = 0; t < act.size(); ++t)
        ASSERT_EQ(0, std::memcmp(xr.side(t), xs.side(t), ref.side_bytes(cols))) << what << " side data, token " << t;

    const int max_x = static_cast<int>(act.size());
    const auto expect = run(ref, cols, group.bytes, xr, max_x);
    for (int n_x = 1; n_x <= max_x; ++n_x) {
        const auto got = run(simd, cols, group.bytes, xs, n_x);
        for (size_t k = 0; k < got.size(); ++k) {
            if (k % kOutStride >= static_cast<size_t>(kRowGroup)) {
                ASSERT_TRUE(std::isnan(got[k])) << what << " n_x=" << n_x << ": wrote past lane 15";
                continue;
            }
            ASSERT_EQ(0, std::memcmp(&expect[k], &got[k], sizeof(float)))
                << what << " n_x=" << n_x << " token " << k / kOutStride << " row " << k % kOutStride
                << ": reference " << expect[k] << " simd " << got[k];
        }
    }
}

void expect_table_matches_reference(const SimdTable& table) {
    if (kernels_for(table.isa) == nullptr) GTEST_SKIP() << isa_name(table.isa) << " not supported on this CPU";
    std::mt19937 rng(4242);
    for (GgmlType type : kGroupedTypes) {
        const char* name = testing::traits(type).name;
        if (table.kernel(type).dot == nullptr) {
            std::printf("[GroupKernels] %s: no %s grouped kernel (the scalar reference serves it)\n", name,
                        isa_name(table.isa));
            continue;
        }
        const std::vector<int64_t> col_counts = is_k_type(type)
                                                    ? std::vector<int64_t>{256, 512, 768, 2048, 5632}
                                                    : std::vector<int64_t>{32, 64, 96, 160, 1024, 2080, 4096};
        for (size_t c = 0; c < col_counts.size(); ++c) {
            const int64_t cols = col_counts[c];
            const std::string what = std::string(isa_name(table.isa)) + " " + name + " cols=" + std::to_string(cols);
            expect_bitwise(table, type, cols, testing::random_rows(type, kRowGroup, cols, rng),
                           testing::random_activation_rows(9, cols, rng), c % 3, what);
        }
        for (uint8_t fill : {0xFF, 0x00, 0x7F, 0x81})
            for (int pattern : {0, 1, 3}) {
                const int64_t cols = is_k_type(type) ? 512 : 64;
                expect_bitwise(table, type, cols, filled_rows(type, cols, fill, rng),
                               extreme_activation_rows(9, cols, pattern), 0,
                               std::string(isa_name(table.isa)) + " " + name + " extreme fill=" +
                                   std::to_string(fill) + " pattern=" + std::to_string(pattern));
            }
    }
}

TEST(GroupKernels, Avx2MatchesReferenceBitwise) { expect_table_matches_reference(kSimdTables[0]); }
TEST(GroupKernels, Avx512MatchesReferenceBitwise) { expect_table_matches_reference(kSimdTables[1]); }
TEST(GroupKernels, Avx512WithoutGfniMatchesReferenceBitwise) { expect_table_matches_reference(kSimdTables[2]); }

// The dispatcher's choice for the active table is one of the tested ones: the reference, or the
// active ISA's kernel when it has one.
TEST(GroupKernels, DispatchPicksTheActiveIsasKernel) {
    for (GgmlType type : kGroupedTypes) {
        const GroupKernel chosen = detail::group_kernel_for(type);
        ASSERT_NE(chosen.dot, nullptr) << testing::traits(type).name;
        GroupKernel expect = detail::scalar_group_kernel(type);
        for (const SimdTable& t : kSimdTables)  // the first table of the ISA is the one dispatched
            if (t.isa == best_kernels().isa && t.kernel(type).dot != nullptr) {
                expect = t.kernel(type);
                break;
            }
        EXPECT_EQ(expect.dot, chosen.dot) << testing::traits(type).name;
        EXPECT_EQ(expect.dot != detail::scalar_group_kernel(type).dot, row_groups_pay_off(type))
            << testing::traits(type).name;
    }
}

}  // namespace
}  // namespace veil::engine
