// Block layouts of the quantized types, byte for byte as GGUF/ggml store them (little-endian),
// and the bit-unpacking helpers shared by the reference dequantizer and the kernels.
//
// Used by veil_ggml_format and veil_engine only (not part of any plugin ABI). Everything here is `static inline` or a plain struct on purpose: this header is
// included by TUs compiled with -mavx2 / -mavx512*, and an `inline` (COMDAT) function could be
// emitted by such a TU and then picked by the linker for baseline callers, leaking AVX
// instructions into code that must run on any x86-64. Internal linkage keeps each copy private.
#pragma once

#include <cstdint>
#include <cstring>

namespace veil::engine::blocks {

// Q4_0, 18 bytes, 32 elements: x = d * (q - 8)
//   [0..2)   d   fp16
//   [2..18)  qs  element j (j < 16) is qs[j] & 0xF, element j + 16 is qs[j] >> 4
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[16];
};

// Q4_1, 20 bytes, 32 elements: x = d * q + m
//   [0..2) d fp16, [2..4) m fp16, [4..20) qs as Q4_0
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[16];
};

// Q5_0, 22 bytes, 32 elements: x = d * (q - 16), q = nibble | (fifth bit << 4)
//   [0..2) d fp16, [2..6) qh: bit j of the little-endian uint32 is the fifth bit of element j,
//   [6..22) qs nibbles as Q4_0
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[16];
};

// Q5_1, 24 bytes, 32 elements: x = d * q + m
//   [0..2) d fp16, [2..4) m fp16, [4..8) qh as Q5_0, [8..24) qs as Q4_0
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[16];
};

// Q8_0, 34 bytes, 32 elements: x = d * q
//   [0..2) d fp16, [2..34) qs int8
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[32];
};

// Q8_1, 36 bytes, 32 elements (activations only): x = d * q
//   [0..2) d fp16, [2..4) s fp16 = d * sum(qs) (lets Q4_1/Q5_1 add their min in one multiply),
//   [4..36) qs int8
struct BlockQ8_1 {
    uint16_t d;
    uint16_t s;
    int8_t qs[32];
};

// Q2_K, 84 bytes, 256 elements in 16 groups of 16: x = d * sc * q - dmin * m
//   [0..16)  scales  byte g: low nibble = scale of group g, high nibble = its min
//   [16..80) qs      2-bit quants; element 128h + 32j + l (h < 2, j < 4, l < 32) is
//                    (qs[32h + l] >> 2j) & 3
//   [80..82) d fp16, [82..84) dmin fp16
struct BlockQ2_K {
    uint8_t scales[16];
    uint8_t qs[64];
    uint16_t d;
    uint16_t dmin;
};

// Q3_K, 110 bytes, 256 elements in 16 groups of 16: x = d * (sc - 32) * q, q in [-4, 3]
//   [0..32)    hmask  element 128h + 32j + l has high bit (hmask[l] >> (4h + j)) & 1; a CLEAR
//                     bit means "subtract 4"
//   [32..96)   qs     low 2 bits, arranged as Q2_K
//   [96..108)  scales 16 six-bit scales packed: low 4 bits of scale g in byte g (g < 8) low
//                     nibble / byte g-8 high nibble (g >= 8); top 2 bits in bytes 8..11
//   [108..110) d fp16
struct BlockQ3_K {
    uint8_t hmask[32];
    uint8_t qs[64];
    uint8_t scales[12];
    uint16_t d;
};

// Q4_K, 144 bytes, 256 elements in 8 groups of 32: x = d * sc * q - dmin * m
//   [0..2) d fp16, [2..4) dmin fp16
//   [4..16)   scales  8 six-bit scales and 8 six-bit mins (see scale_min_k4)
//   [16..144) qs      element 64j + l (l < 32) is qs[32j + l] & 0xF, element 64j + 32 + l is
//                     qs[32j + l] >> 4
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qs[128];
};

// Q5_K, 176 bytes, 256 elements in 8 groups of 32: as Q4_K plus a fifth bit
//   [0..2) d, [2..4) dmin, [4..16) scales as Q4_K
//   [16..48)  qh  fifth bit of element 32g + l is (qh[l] >> g) & 1
//   [48..176) qs  low nibbles as Q4_K
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qh[32];
    uint8_t qs[128];
};

// Q6_K, 210 bytes, 256 elements in 16 groups of 16: x = d * sc * (q - 32)
//   [0..128)   ql  low 4 bits; for half h and l < 32: element 128h + l     -> ql[64h + l] & 0xF,
//                  128h + 32 + l -> ql[64h + 32 + l] & 0xF, 128h + 64 + l -> ql[64h + l] >> 4,
//                  128h + 96 + l -> ql[64h + 32 + l] >> 4
//   [128..192) qh  high 2 bits: those four elements take bits 0-1, 2-3, 4-5, 6-7 of qh[32h + l]
//   [192..208) scales int8, one per group of 16
//   [208..210) d fp16
struct BlockQ6_K {
    uint8_t ql[128];
    uint8_t qh[64];
    int8_t scales[16];
    uint16_t d;
};

// Q8_K, 292 bytes, 256 elements (activations only): x = d * q
//   [0..4) d float32, [4..260) qs int8, [260..292) bsums int16: sum of each group of 16 quants
struct BlockQ8_K {
    float d;
    int8_t qs[256];
    int16_t bsums[16];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

// IEEE half -> float, exact (every half is representable as a float).
static inline float half_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1Fu;
    const uint32_t mant = h & 0x3FFu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {
            // Subnormal: mant * 2^-24 is exact in float.
            const float v = static_cast<float>(mant) * (1.0f / 16777216.0f);
            std::memcpy(&bits, &v, 4);
            bits |= sign;
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 112u) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

// Q4_K / Q5_K: 6-bit scale and min of group j (j < 8) from the 12 packed bytes.
// Groups 0..3 use the low 6 bits of bytes j and j+4; groups 4..7 take their low 4 bits from
// byte j+4 (scale: low nibble, min: high nibble) and their top 2 bits from the top 2 bits of
// bytes j-4 (scale) and j (min).
static inline void scale_min_k4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q4_K / Q5_K: all eight scales (bytes 0..7 of out) and mins (bytes 8..15) at once, the same
// values as scale_min_k4 for j = 0..7, with word operations instead of 16 byte branches.
static inline void unpack_k4_scales(const uint8_t* packed, uint32_t out[4]) {
    uint32_t w[3];
    std::memcpy(w, packed, 12);
    const uint32_t low6 = 0x3F3F3F3Fu, low4 = 0x0F0F0F0Fu, low2 = 0x03030303u;
    out[0] = w[0] & low6;                                      // scales 0..3
    out[1] = (w[2] & low4) | (((w[0] >> 6) & low2) << 4);      // scales 4..7
    out[2] = w[1] & low6;                                      // mins 0..3
    out[3] = ((w[2] >> 4) & low4) | (((w[1] >> 6) & low2) << 4);  // mins 4..7
}

// Q3_K: the 16 six-bit scales, unsigned (0..63, i.e. +32), as 16 bytes in group order.
static inline void unpack_q3_k_scales_u(const uint8_t* packed, uint32_t out[4]) {
    uint32_t w[3];
    std::memcpy(w, packed, 12);
    const uint32_t low4 = 0x0F0F0F0Fu, low2 = 0x03030303u;
    out[0] = (w[0] & low4) | (((w[2] >> 0) & low2) << 4);
    out[1] = (w[1] & low4) | (((w[2] >> 2) & low2) << 4);
    out[2] = ((w[0] >> 4) & low4) | (((w[2] >> 4) & low2) << 4);
    out[3] = ((w[1] >> 4) & low4) | (((w[2] >> 6) & low2) << 4);
}

// Q3_K: the 16 signed scales (already minus 32) from the 12 packed bytes.
static inline void unpack_q3_k_scales(const uint8_t* packed, int8_t* out) {
    for (int g = 0; g < 16; ++g) {
        const int low = g < 8 ? (packed[g] & 0xF) : (packed[g - 8] >> 4);
        const int high = (packed[8 + (g % 4)] >> (2 * (g / 4))) & 3;
        out[g] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
}

// ---- unpacking into natural element order -------------------------------------------------------

// Nibble j of a *_0/*_1 block: j < 16 low nibbles, j >= 16 high nibbles.
static inline int nibble(const uint8_t* qs, int j) { return j < 16 ? (qs[j] & 0xF) : (qs[j - 16] >> 4); }

// Fifth bit of element j of a Q5_0/Q5_1 block, already shifted to bit 4.
static inline int fifth_bit(const uint8_t* qh, int j) {
    uint32_t bits;
    std::memcpy(&bits, qh, 4);
    return static_cast<int>((bits >> j) & 1u) << 4;
}

// Each writes the 256 integer quants of one K-quant super-block, index = element position, so
// the dequantizer and the scalar dot product both read them linearly.

static inline void unpack_q2_k(const BlockQ2_K& b, int8_t* q) {
    for (int h = 0; h < 2; ++h)
        for (int j = 0; j < 4; ++j)
            for (int l = 0; l < 32; ++l) q[128 * h + 32 * j + l] = static_cast<int8_t>((b.qs[32 * h + l] >> (2 * j)) & 3);
}

static inline void unpack_q3_k(const BlockQ3_K& b, int8_t* q) {
    for (int h = 0; h < 2; ++h)
        for (int j = 0; j < 4; ++j)
            for (int l = 0; l < 32; ++l) {
                const int low = (b.qs[32 * h + l] >> (2 * j)) & 3;
                const int high_set = (b.hmask[l] >> (4 * h + j)) & 1;
                q[128 * h + 32 * j + l] = static_cast<int8_t>(low - (high_set ? 0 : 4));
            }
}

static inline void unpack_q4_k(const BlockQ4_K& b, int8_t* q) {
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) {
            q[64 * j + l] = static_cast<int8_t>(b.qs[32 * j + l] & 0xF);
            q[64 * j + 32 + l] = static_cast<int8_t>(b.qs[32 * j + l] >> 4);
        }
}

static inline void unpack_q5_k(const BlockQ5_K& b, int8_t* q) {
    for (int j = 0; j < 4; ++j)
        for (int l = 0; l < 32; ++l) {
            const int hi0 = ((b.qh[l] >> (2 * j)) & 1) << 4;
            const int hi1 = ((b.qh[l] >> (2 * j + 1)) & 1) << 4;
            q[64 * j + l] = static_cast<int8_t>((b.qs[32 * j + l] & 0xF) | hi0);
            q[64 * j + 32 + l] = static_cast<int8_t>((b.qs[32 * j + l] >> 4) | hi1);
        }
}

static inline void unpack_q6_k(const BlockQ6_K& b, int8_t* q) {
    for (int h = 0; h < 2; ++h) {
        const uint8_t* ql = b.ql + 64 * h;
        const uint8_t* qh = b.qh + 32 * h;
        int8_t* y = q + 128 * h;
        for (int l = 0; l < 32; ++l) {
            y[l] = static_cast<int8_t>(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
            y[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
            y[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
            y[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
        }
    }
}

}  // namespace veil::engine::blocks
