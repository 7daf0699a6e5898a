// Dequantization of hand-built blocks to exact values: pins the block layouts byte by byte.
#include <gtest/gtest.h>

#include "test_kernels_util.h"

namespace veil::engine {
namespace {

std::vector<float> deq(GgmlType t, const std::vector<uint8_t>& b, int64_t n) { return testing::dequantize(t, b.data(), n); }

TEST(KernelsDequant, TypeTraits) {
    struct Expect {
        GgmlType t;
        uint32_t elems, bytes;
        GgmlType dot;
    };
    const Expect e[] = {{GgmlType::F32, 1, 4, GgmlType::F32},      {GgmlType::F16, 1, 2, GgmlType::F16},
                        {GgmlType::BF16, 1, 2, GgmlType::BF16},    {GgmlType::Q4_0, 32, 18, GgmlType::Q8_0},
                        {GgmlType::Q4_1, 32, 20, GgmlType::Q8_1},  {GgmlType::Q5_0, 32, 22, GgmlType::Q8_0},
                        {GgmlType::Q5_1, 32, 24, GgmlType::Q8_1},  {GgmlType::Q8_0, 32, 34, GgmlType::Q8_0},
                        {GgmlType::Q8_1, 32, 36, GgmlType::Q8_1},  {GgmlType::Q2_K, 256, 84, GgmlType::Q8_K},
                        {GgmlType::Q3_K, 256, 110, GgmlType::Q8_K}, {GgmlType::Q4_K, 256, 144, GgmlType::Q8_K},
                        {GgmlType::Q5_K, 256, 176, GgmlType::Q8_K}, {GgmlType::Q6_K, 256, 210, GgmlType::Q8_K},
                        {GgmlType::Q8_K, 256, 292, GgmlType::Q8_K}};
    for (const auto& x : e) {
        const TypeTraits* t = type_traits(static_cast<uint32_t>(x.t));
        ASSERT_NE(t, nullptr);
        EXPECT_EQ(t->block_elems, x.elems) << t->name;
        EXPECT_EQ(t->block_bytes, x.bytes) << t->name;
        EXPECT_EQ(t->vec_dot_type, x.dot) << t->name;
    }
    EXPECT_EQ(type_traits(4), nullptr);  // removed Q4_2
    EXPECT_EQ(type_traits(99), nullptr);
    EXPECT_EQ(row_bytes(GgmlType::Q4_K, 4096), 16u * 144u);
    EXPECT_STREQ(type_traits(12)->name, "q4_K");
}

TEST(KernelsDequant, Fp16Bf16) {
    EXPECT_EQ(fp32_to_fp16(1.0f), 0x3C00);
    EXPECT_EQ(fp32_to_fp16(-2.0f), 0xC000);
    EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);
    EXPECT_EQ(fp32_to_fp16(1e6f), 0x7C00);
    EXPECT_EQ(fp32_to_fp16(5.960464477539063e-08f), 0x0001);  // smallest subnormal
    EXPECT_EQ(fp32_to_fp16(1.0f + 1.0f / 2048.0f), 0x3C00);    // tie -> even
    EXPECT_EQ(fp32_to_fp16(1.0f + 3.0f / 2048.0f), 0x3C02);    // tie -> even (up)
    EXPECT_FLOAT_EQ(fp16_to_fp32(0x3555), 0.333251953125f);
    EXPECT_FLOAT_EQ(fp16_to_fp32(0x0001), 5.960464477539063e-08f);
    for (uint32_t h = 0; h < 0x10000; ++h) {
        if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) continue;  // NaN payloads
        ASSERT_EQ(fp32_to_fp16(fp16_to_fp32(static_cast<uint16_t>(h))), h) << h;
    }
    EXPECT_EQ(fp32_to_bf16(1.0f), 0x3F80);
    EXPECT_EQ(fp32_to_bf16(1.00390625f), 0x3F80);  // tie -> even
    EXPECT_EQ(fp32_to_bf16(1.01171875f), 0x3F82);  // tie -> even (up)
    EXPECT_FLOAT_EQ(bf16_to_fp32(0xC040), -3.0f);
}

TEST(KernelsDequant, Q4_0) {
    std::vector<uint8_t> b(18);
    testing::put_f16(b, 0, 0.5f);
    for (int j = 0; j < 16; ++j) b[2 + j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    const auto y = deq(GgmlType::Q4_0, b, 32);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], (j - 8) * 0.5f) << j;
        EXPECT_EQ(y[16 + j], (7 - j) * 0.5f) << j;
    }
}

TEST(KernelsDequant, Q4_1AndQ5) {
    std::vector<uint8_t> b(20);
    testing::put_f16(b, 0, 0.25f);
    testing::put_f16(b, 2, -1.0f);
    for (int j = 0; j < 16; ++j) b[4 + j] = static_cast<uint8_t>(j | (j << 4));
    auto y = deq(GgmlType::Q4_1, b, 32);
    for (int j = 0; j < 16; ++j) EXPECT_EQ(y[16 + j], j * 0.25f - 1.0f);

    // Q5_0: fifth bit set for odd elements -> q = nibble + 16 - 16.
    std::vector<uint8_t> c(22);
    testing::put_f16(c, 0, 2.0f);
    const uint32_t qh = 0xAAAAAAAAu;
    std::memcpy(c.data() + 2, &qh, 4);
    for (int j = 0; j < 16; ++j) c[6 + j] = static_cast<uint8_t>(3 | (5 << 4));
    y = deq(GgmlType::Q5_0, c, 32);
    for (int j = 0; j < 32; ++j) {
        const int nib = j < 16 ? 3 : 5;
        EXPECT_EQ(y[j], ((nib | ((j & 1) << 4)) - 16) * 2.0f) << j;
    }
    // Q5_1: same quants, min 0.5.
    std::vector<uint8_t> d(24);
    testing::put_f16(d, 0, 2.0f);
    testing::put_f16(d, 2, 0.5f);
    std::memcpy(d.data() + 4, &qh, 4);
    for (int j = 0; j < 16; ++j) d[8 + j] = static_cast<uint8_t>(3 | (5 << 4));
    y = deq(GgmlType::Q5_1, d, 32);
    for (int j = 0; j < 32; ++j) {
        const int nib = j < 16 ? 3 : 5;
        EXPECT_EQ(y[j], (nib | ((j & 1) << 4)) * 2.0f + 0.5f) << j;
    }
}

TEST(KernelsDequant, Q8_0) {
    std::vector<uint8_t> b(34);
    testing::put_f16(b, 0, 0.25f);
    for (int j = 0; j < 32; ++j) b[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(j - 16));
    const auto y = deq(GgmlType::Q8_0, b, 32);
    for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], (j - 16) * 0.25f);
}

// Packs 8 six-bit scales and mins the way Q4_K/Q5_K store them.
void pack_k4_scales(uint8_t* out, const int* sc, const int* m) {
    std::memset(out, 0, 12);
    for (int j = 0; j < 4; ++j) {
        out[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
        out[j + 4] = static_cast<uint8_t>(m[j] | ((m[j + 4] >> 4) << 6));
        out[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
    }
}

TEST(KernelsDequant, Q4_K) {
    std::vector<uint8_t> b(144);
    testing::put_f16(b, 0, 1.0f);   // d
    testing::put_f16(b, 2, 0.5f);   // dmin
    const int sc[8] = {1, 2, 3, 4, 17, 33, 50, 63};
    const int m[8] = {0, 5, 10, 63, 16, 32, 48, 7};
    pack_k4_scales(b.data() + 4, sc, m);
    int q[256];
    for (int e = 0; e < 256; ++e) q[e] = (e * 7) % 16;
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) b[16 + 32 * j + l] = static_cast<uint8_t>(q[64 * j + l] | (q[64 * j + 32 + l] << 4));
    const auto y = deq(GgmlType::Q4_K, b, 256);
    for (int e = 0; e < 256; ++e) EXPECT_EQ(y[e], 1.0f * sc[e / 32] * q[e] - 0.5f * m[e / 32]) << e;
}

TEST(KernelsDequant, Q5_K) {
    std::vector<uint8_t> b(176);
    testing::put_f16(b, 0, 0.5f);
    testing::put_f16(b, 2, 0.25f);
    const int sc[8] = {63, 1, 2, 3, 40, 20, 10, 5};
    const int m[8] = {1, 2, 3, 4, 5, 6, 7, 60};
    pack_k4_scales(b.data() + 4, sc, m);
    int q[256];
    for (int e = 0; e < 256; ++e) q[e] = (e * 11) % 32;
    for (int e = 0; e < 256; ++e)
        if (q[e] & 16) b[16 + e % 32] |= static_cast<uint8_t>(1 << (e / 32));
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l)
            b[48 + 32 * j + l] = static_cast<uint8_t>((q[64 * j + l] & 15) | ((q[64 * j + 32 + l] & 15) << 4));
    const auto y = deq(GgmlType::Q5_K, b, 256);
    for (int e = 0; e < 256; ++e) EXPECT_EQ(y[e], 0.5f * sc[e / 32] * q[e] - 0.25f * m[e / 32]) << e;
}

TEST(KernelsDequant, Q6_K) {
    std::vector<uint8_t> b(210, 0);
    testing::put_f16(b, 208, 0.5f);
    for (int g = 0; g < 16; ++g) b[192 + g] = static_cast<uint8_t>(static_cast<int8_t>(g - 8));
    int u[256];  // unsigned 6-bit quants; value = u - 32
    for (int e = 0; e < 256; ++e) u[e] = (e * 13 + 5) % 64;
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const int* v = u + 128 * h;
            b[64 * h + l] = static_cast<uint8_t>((v[l] & 15) | ((v[l + 64] & 15) << 4));
            b[64 * h + 32 + l] = static_cast<uint8_t>((v[l + 32] & 15) | ((v[l + 96] & 15) << 4));
            b[128 + 32 * h + l] = static_cast<uint8_t>((v[l] >> 4) | ((v[l + 32] >> 4) << 2) | ((v[l + 64] >> 4) << 4) |
                                                       ((v[l + 96] >> 4) << 6));
        }
    const auto y = deq(GgmlType::Q6_K, b, 256);
    for (int e = 0; e < 256; ++e) EXPECT_EQ(y[e], 0.5f * (e / 16 - 8) * (u[e] - 32)) << e;
}

TEST(KernelsDequant, Q2_KAndQ3_K) {
    // Q2_K: scale g = g % 16, min g = 15 - g.
    std::vector<uint8_t> b(84, 0);
    for (int g = 0; g < 16; ++g) b[g] = static_cast<uint8_t>(g | ((15 - g) << 4));
    int q[256];
    for (int e = 0; e < 256; ++e) q[e] = (e * 3 + 1) % 4;
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, j = (e % 128) / 32, l = e % 32;
        b[16 + 32 * h + l] |= static_cast<uint8_t>(q[e] << (2 * j));
    }
    testing::put_f16(b, 80, 0.5f);
    testing::put_f16(b, 82, 0.25f);
    auto y = deq(GgmlType::Q2_K, b, 256);
    for (int e = 0; e < 256; ++e) EXPECT_EQ(y[e], 0.5f * (e / 16) * q[e] - 0.25f * (15 - e / 16)) << e;

    // Q3_K: 6-bit scales s_g = 4g - 31 in [-32, 31] (stored +32), quants in [-4, 3].
    std::vector<uint8_t> c(110, 0);
    int s[16];
    for (int g = 0; g < 16; ++g) s[g] = 4 * g - 31;
    for (int g = 0; g < 16; ++g) {
        const int v = s[g] + 32;
        if (g < 8) c[96 + g] |= static_cast<uint8_t>(v & 15);
        else c[96 + g - 8] |= static_cast<uint8_t>((v & 15) << 4);
        c[96 + 8 + g % 4] |= static_cast<uint8_t>((v >> 4) << (2 * (g / 4)));
    }
    int v3[256];
    for (int e = 0; e < 256; ++e) v3[e] = (e * 5 + 2) % 8 - 4;
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, j = (e % 128) / 32, l = e % 32;
        const int u = v3[e] + 4;  // bit 2 set = high bit set = no -4
        c[32 + 32 * h + l] |= static_cast<uint8_t>((u & 3) << (2 * j));
        if (u & 4) c[l] |= static_cast<uint8_t>(1 << (4 * h + j));
    }
    testing::put_f16(c, 108, 0.125f);
    y = deq(GgmlType::Q3_K, c, 256);
    for (int e = 0; e < 256; ++e) EXPECT_EQ(y[e], 0.125f * s[e / 16] * v3[e]) << e;
}

}  // namespace
}  // namespace veil::engine
