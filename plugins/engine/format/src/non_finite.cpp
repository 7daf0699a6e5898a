#include "veil/engine/non_finite.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "veil/engine/ggml_blocks.h"

namespace veil::engine {
namespace {

using namespace blocks;

// Bit tests rather than float compares: a half needs no conversion to be judged.
constexpr bool f16_non_finite(uint16_t h) { return (h & 0x7c00u) == 0x7c00u; }
constexpr bool f16_nan(uint16_t h) { return f16_non_finite(h) && (h & 0x03ffu) != 0; }
constexpr bool f32_non_finite(uint32_t b) { return (b & 0x7f800000u) == 0x7f800000u; }
constexpr bool f32_nan(uint32_t b) { return f32_non_finite(b) && (b & 0x007fffffu) != 0; }

// Elements are scanned in chunks: a branch-free "does any reach the all-ones exponent?" over the
// chunk, and only a chunk that has one is walked again to find it. With the sign masked off a
// pattern is non-negative as a signed integer, and it is non-finite exactly when it is at least
// the infinity pattern (the exponent sits above the mantissa), so SSE2's signed compares (baseline
// x86-64: this library is built for any x86-64) test 8 halves or 4 floats at a time — GCC does not
// vectorise the plain loop at -O2.
constexpr int64_t kChunk = 1024;

template <typename Bits>
struct Lanes;
template <>
struct Lanes<uint16_t> {
    static __m128i above(__m128i v, __m128i limit) { return _mm_cmpgt_epi16(v, limit); }
    static __m128i splat(uint16_t b) { return _mm_set1_epi16(static_cast<int16_t>(b)); }
};
template <>
struct Lanes<uint32_t> {
    static __m128i above(__m128i v, __m128i limit) { return _mm_cmpgt_epi32(v, limit); }
    static __m128i splat(uint32_t b) { return _mm_set1_epi32(static_cast<int32_t>(b)); }
};

template <typename Bits, Bits kMagnitude, Bits kInfinity>
bool any_non_finite(const Bits* p, int64_t n) {
    constexpr int64_t kPerVector = 16 / sizeof(Bits);
    const __m128i magnitude = Lanes<Bits>::splat(kMagnitude), limit = Lanes<Bits>::splat(kInfinity - 1);
    __m128i hit = _mm_setzero_si128();
    int64_t i = 0;
    for (; i + kPerVector <= n; i += kPerVector) {
        const __m128i v = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), magnitude);
        hit = _mm_or_si128(hit, Lanes<Bits>::above(v, limit));
    }
    bool any = _mm_movemask_epi8(hit) != 0;
    for (; i < n; ++i) any |= (p[i] & kMagnitude) >= kInfinity;
    return any;
}

template <typename Bits, Bits kMagnitude, Bits kInfinity>
std::optional<NonFinite> scan_elements(const void* data, int64_t rows, int64_t cols) {
    const auto* p = static_cast<const Bits*>(data);
    const int64_t n = rows * cols;
    for (int64_t c0 = 0; c0 < n; c0 += kChunk) {
        const int64_t c1 = std::min(c0 + kChunk, n);
        if (!any_non_finite<Bits, kMagnitude, kInfinity>(p + c0, c1 - c0)) continue;
        for (int64_t i = c0; i < c1; ++i)
            if (const Bits m = p[i] & kMagnitude; m >= kInfinity) return NonFinite{i / cols, i % cols, "", m > kInfinity};
    }
    return std::nullopt;
}

// The fp16 fields of a quantized type's block: names and byte offsets (at most two per type).
struct BlockScales {
    GgmlType type;
    struct {
        const char* name;
        size_t offset;
    } fields[2];
    int n_fields;
};

constexpr BlockScales kBlockScales[] = {
    {GgmlType::Q4_0, {{"d", offsetof(BlockQ4_0, d)}}, 1},
    {GgmlType::Q4_1, {{"d", offsetof(BlockQ4_1, d)}, {"m", offsetof(BlockQ4_1, m)}}, 2},
    {GgmlType::Q5_0, {{"d", offsetof(BlockQ5_0, d)}}, 1},
    {GgmlType::Q5_1, {{"d", offsetof(BlockQ5_1, d)}, {"m", offsetof(BlockQ5_1, m)}}, 2},
    {GgmlType::Q8_0, {{"d", offsetof(BlockQ8_0, d)}}, 1},
    {GgmlType::Q8_1, {{"d", offsetof(BlockQ8_1, d)}, {"s", offsetof(BlockQ8_1, s)}}, 2},
    {GgmlType::Q2_K, {{"d", offsetof(BlockQ2_K, d)}, {"dmin", offsetof(BlockQ2_K, dmin)}}, 2},
    {GgmlType::Q3_K, {{"d", offsetof(BlockQ3_K, d)}}, 1},
    {GgmlType::Q4_K, {{"d", offsetof(BlockQ4_K, d)}, {"dmin", offsetof(BlockQ4_K, dmin)}}, 2},
    {GgmlType::Q5_K, {{"d", offsetof(BlockQ5_K, d)}, {"dmin", offsetof(BlockQ5_K, dmin)}}, 2},
    {GgmlType::Q6_K, {{"d", offsetof(BlockQ6_K, d)}}, 1},
};

std::optional<NonFinite> scan_blocks(const BlockScales& scales, const void* data, int64_t rows, int64_t cols) {
    const TypeTraits& t = *type_traits(static_cast<uint32_t>(scales.type));
    const auto* base = static_cast<const uint8_t*>(data);
    const int64_t per_row = cols / t.block_elems, n = rows * per_row;
    // One or two halves per block, 18 to 210 bytes apart: reading them is the cost, at memory speed.
    for (int64_t b = 0; b < n; ++b)
        for (int f = 0; f < scales.n_fields; ++f) {
            uint16_t h;
            std::memcpy(&h, base + static_cast<size_t>(b) * t.block_bytes + scales.fields[f].offset, sizeof h);
            if (f16_non_finite(h))
                return NonFinite{b / per_row, b % per_row * t.block_elems, scales.fields[f].name, f16_nan(h)};
        }
    return std::nullopt;
}

// Q8_K keeps its scale as a float32.
std::optional<NonFinite> scan_q8_k(const void* data, int64_t rows, int64_t cols) {
    const auto* blocks = static_cast<const BlockQ8_K*>(data);
    const int64_t per_row = cols / kQK_K, n = rows * per_row;
    for (int64_t b = 0; b < n; ++b) {
        uint32_t bits;
        std::memcpy(&bits, &blocks[b].d, sizeof bits);
        if (f32_non_finite(bits)) return NonFinite{b / per_row, b % per_row * kQK_K, "d", f32_nan(bits)};
    }
    return std::nullopt;
}

}  // namespace

std::optional<NonFinite> find_non_finite(GgmlType type, const void* data, int64_t rows, int64_t cols) {
    if (rows <= 0 || cols <= 0) return std::nullopt;
    switch (type) {
        case GgmlType::F32: return scan_elements<uint32_t, 0x7fffffffu, 0x7f800000u>(data, rows, cols);
        case GgmlType::F16: return scan_elements<uint16_t, 0x7fffu, 0x7c00u>(data, rows, cols);
        case GgmlType::BF16: return scan_elements<uint16_t, 0x7fffu, 0x7f80u>(data, rows, cols);
        case GgmlType::Q8_K: return scan_q8_k(data, rows, cols);
        default:
            for (const BlockScales& scales : kBlockScales)
                if (scales.type == type) return scan_blocks(scales, data, rows, cols);
            return std::nullopt;
    }
}

std::string describe(const NonFinite& where, GgmlType type) {
    const char* value = where.nan ? "NaN" : "Inf";
    std::string s = "row " + std::to_string(where.row) + ", ";
    if (where.field[0] == '\0') return s + "element " + std::to_string(where.element) + " is " + value;
    const TypeTraits* t = type_traits(static_cast<uint32_t>(type));
    const int64_t n = t != nullptr ? t->block_elems : 1;
    return s + "block " + std::to_string(where.element / n) + " (elements " + std::to_string(where.element) + ".." +
           std::to_string(where.element + n - 1) + "): its scale " + where.field + " is " + value;
}

}  // namespace veil::engine
