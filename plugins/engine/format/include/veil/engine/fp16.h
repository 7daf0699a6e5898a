// Scalar half / bfloat16 <-> float conversions, round-to-nearest-even, bit-compatible with ggml
// (and with the F16C instructions), so every ISA and every tool converts identically.
#pragma once

#include <cstdint>

namespace veil::engine {

float fp16_to_fp32(uint16_t h);
uint16_t fp32_to_fp16(float f);
float bf16_to_fp32(uint16_t h);
uint16_t fp32_to_bf16(float f);

}  // namespace veil::engine
