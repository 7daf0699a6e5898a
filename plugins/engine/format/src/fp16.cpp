// Scalar half / bfloat16 conversions with round-to-nearest-even, bit-compatible with ggml (and
// with the F16C instructions), so converted activations are identical on every ISA.
#include "veil/engine/fp16.h"

#include <cstring>

#include "veil/engine/ggml_blocks.h"

namespace veil::engine {

float fp16_to_fp32(uint16_t h) { return blocks::half_to_float(h); }

uint16_t fp32_to_fp16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    x &= 0x7FFFFFFFu;
    if (x >= 0x7F800000u) {  // inf stays inf; NaN stays a quiet NaN
        return static_cast<uint16_t>(sign | 0x7C00u | (x > 0x7F800000u ? 0x200u : 0u));
    }
    if (x >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // >= 65520 -> inf
    if (x < 0x38800000u) {
        // Result is subnormal (or zero): scale by 2^24 (exact) and round to an integer with the
        // FPU's default round-to-nearest-even via the 2^23 trick; 1024 correctly becomes the
        // smallest normal half.
        float a;
        std::memcpy(&a, &x, 4);
        volatile float t = a * 16777216.0f + 8388608.0f;
        const float r = t - 8388608.0f;
        return static_cast<uint16_t>(sign | static_cast<uint16_t>(r));
    }
    // Normal: rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits to even;
    // a carry out of the mantissa correctly bumps the exponent.
    x -= 112u << 23;
    x += 0xFFFu + ((x >> 13) & 1u);
    return static_cast<uint16_t>(sign | (x >> 13));
}

float bf16_to_fp32(uint16_t h) {
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t fp32_to_bf16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 64u);  // quiet NaN
    return static_cast<uint16_t>((x + (0x7FFFu + ((x >> 16) & 1u))) >> 16);
}

}  // namespace veil::engine
