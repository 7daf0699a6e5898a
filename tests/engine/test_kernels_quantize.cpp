// Activation quantizers: round-trip error bounds, ggml's exact rounding choices, and K-quant dot
// products against a float64 dot of the dequantized weights.
#include <gtest/gtest.h>

#include <cmath>

#include "test_kernels_util.h"

namespace veil::engine {
namespace {

const KernelTable& scalar() { return *kernels_for(Isa::Scalar); }

float block_scale_q8(const std::vector<uint8_t>& q, GgmlType t, int64_t block) {
    if (t == GgmlType::Q8_K) {
        float d;
        std::memcpy(&d, q.data() + 292 * block, 4);
        return d;
    }
    uint16_t h;
    std::memcpy(&h, q.data() + testing::traits(t).block_bytes * block, 2);
    return fp16_to_fp32(h);
}

TEST(KernelsQuantize, RoundTripBounds) {
    std::mt19937 rng(7);
    const int64_t n = 2048;
    const auto x = testing::random_floats(n, rng, -3.0f, 3.0f);
    for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q8_1, GgmlType::Q8_K}) {
        std::vector<uint8_t> q(row_bytes(t, n));
        scalar().quantize_row(t, x.data(), q.data(), n);
        const auto y = testing::dequantize(t, q.data(), n);
        const int64_t be = testing::traits(t).block_elems;
        for (int64_t i = 0; i < n; ++i) {
            const float d = std::fabs(block_scale_q8(q, t, i / be));
            // Half a step of rounding, plus (Q8_0/Q8_1) the fp16 rounding of d times |q| <= 127.
            const float bound = t == GgmlType::Q8_K ? 0.5001f * d : 0.5f * d + 127.0f * d / 2048.0f;
            ASSERT_LE(std::fabs(y[i] - x[i]), bound) << testing::traits(t).name << " i=" << i;
        }
    }
    std::vector<uint16_t> h(n);
    scalar().quantize_row(GgmlType::F16, x.data(), h.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_LE(std::fabs(fp16_to_fp32(h[i]) - x[i]), std::fabs(x[i]) / 2048.0f);
    scalar().quantize_row(GgmlType::BF16, x.data(), h.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_LE(std::fabs(bf16_to_fp32(h[i]) - x[i]), std::fabs(x[i]) / 256.0f);
}

TEST(KernelsQuantize, GgmlRoundingDetails) {
    // Q8_0: d = amax / 127, round half away from zero.
    float x[32] = {};
    x[0] = 127.0f;
    x[1] = 2.5f;
    x[2] = -2.5f;
    std::vector<uint8_t> q(34);
    scalar().quantize_row(GgmlType::Q8_0, x, q.data(), 32);
    EXPECT_EQ(static_cast<int8_t>(q[2]), 127);
    EXPECT_EQ(static_cast<int8_t>(q[3]), 3);
    EXPECT_EQ(static_cast<int8_t>(q[4]), -3);
    // Q8_1: s = d * sum(q).
    std::vector<uint8_t> q1(36);
    scalar().quantize_row(GgmlType::Q8_1, x, q1.data(), 32);
    uint16_t s;
    std::memcpy(&s, q1.data() + 2, 2);
    EXPECT_EQ(fp16_to_fp32(s), fp16_to_fp32(fp32_to_fp16(127.0f + 3.0f - 3.0f)));
    // Q8_K: scale -127/max of the largest-magnitude element (sign kept), round half to even,
    // bsums per 16.
    float y[256] = {};
    y[0] = 127.0f;
    y[1] = 2.5f;
    y[17] = 3.5f;
    std::vector<uint8_t> k(292);
    scalar().quantize_row(GgmlType::Q8_K, y, k.data(), 256);
    float d;
    std::memcpy(&d, k.data(), 4);
    EXPECT_EQ(d, -1.0f);
    EXPECT_EQ(static_cast<int8_t>(k[4 + 0]), -127);
    EXPECT_EQ(static_cast<int8_t>(k[4 + 1]), -2);  // -2.5 -> -2 (even)
    EXPECT_EQ(static_cast<int8_t>(k[4 + 17]), -4);  // -3.5 -> -4 (even)
    int16_t bs[16];
    std::memcpy(bs, k.data() + 260, 32);
    EXPECT_EQ(bs[0], -129);
    EXPECT_EQ(bs[1], -4);
    // All zeros -> d = 0 and zero quants.
    float z[256] = {};
    scalar().quantize_row(GgmlType::Q8_K, z, k.data(), 256);
    for (uint8_t byte : k) ASSERT_EQ(byte, 0);
}

// K-quants: vec_dot(w, quantize_q8_k(x)) vs sum(dequant(w) * x) in float64. The only error is the
// activation rounding: |err| <= sum_i |w_i| * |d_block(i)| / 2 (plus float slack).
TEST(KernelsQuantize, Q8KDotMatchesFloat64) {
    std::mt19937 rng(99);
    const int64_t n = 1024;
    for (GgmlType t : {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
        for (int rep = 0; rep < 4; ++rep) {
            const auto w = testing::random_row(t, n, rng);
            const auto x = testing::random_floats(n, rng);
            const auto xq = testing::convert_activations(t, x);
            const auto wf = testing::dequantize(t, w.data(), n);
            double exact = 0.0, bound = 0.0, mag = 0.0;
            for (int64_t i = 0; i < n; ++i) {
                exact += static_cast<double>(wf[i]) * x[i];
                bound += std::fabs(wf[i]) * 0.5 * std::fabs(block_scale_q8(xq, GgmlType::Q8_K, i / 256));
                mag += std::fabs(static_cast<double>(wf[i]) * x[i]);
            }
            for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
                const KernelTable* k = kernels_for(isa);
                if (k == nullptr) continue;
                const float got = k->vec_dot(t, n, w.data(), xq.data());
                ASSERT_NEAR(got, exact, bound + 1e-5 * mag) << testing::traits(t).name << " " << isa_name(isa);
            }
        }
    }
}

// Every table's quantize_row must produce the scalar reference's bytes (the SIMD quantizers
// re-implement its rounding): random rows, exact .5 ties after scaling, all-zero blocks, a block
// whose largest magnitude appears with both signs (Q8_K keeps the first), tiny and huge values.
TEST(KernelsQuantize, SimdQuantizersAreByteIdentical) {
    std::mt19937 rng(11);
    const int64_t n = 1280;  // 40 blocks of 32: the AVX-512 Q8_0 quantizer's 16-block batches and a tail
    std::vector<std::vector<float>> rows;
    rows.push_back(testing::random_floats(n, rng, -3.0f, 3.0f));
    rows.push_back(testing::random_floats(n, rng, -1e-6f, 1e-6f));
    rows.push_back(testing::random_floats(n, rng, -6e4f, 6e4f));
    std::vector<float> ties(n);
    // Each block holds 127 (so the scale is exactly 1) and values k + 0.5: every product is a tie.
    for (int64_t i = 0; i < n; ++i) ties[i] = i % 32 == 0 ? 127.0f : static_cast<float>(static_cast<int>(i % 200) - 100) + 0.5f;
    rows.push_back(ties);
    std::vector<float> edge(n, 0.0f);  // block 0 all zero; block 1: +-amax, amax negative first
    for (int64_t i = 256; i < n; ++i) edge[i] = std::sin(static_cast<float>(i)) * 2.0f;
    edge[300] = -4.0f;
    edge[301] = 4.0f;
    edge[40] = 0.0f;
    rows.push_back(edge);
    for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
        const KernelTable* k = kernels_for(isa);
        if (k == nullptr) continue;
        for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q8_1, GgmlType::Q8_K, GgmlType::F16}) {
            for (size_t r = 0; r < rows.size(); ++r) {
                std::vector<uint8_t> want(row_bytes(t, n)), got(row_bytes(t, n), 0xAA);
                scalar().quantize_row(t, rows[r].data(), want.data(), n);
                k->quantize_row(t, rows[r].data(), got.data(), n);
                ASSERT_EQ(want, got) << isa_name(isa) << " " << testing::traits(t).name << " row set " << r;
            }
        }
    }
}

}  // namespace
}  // namespace veil::engine
