// Sampling parameters for one generation (host side; same meaning as llama.cpp / OpenAI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace veil {

struct SamplingParams {
    float temperature = 0.8f;      // 0 = greedy
    int32_t top_k = 40;            // 0 = off
    float top_p = 0.95f;           // 1 = off
    float min_p = 0.05f;           // 0 = off
    float repeat_penalty = 1.0f;   // 1 = off (llama.cpp's multiplicative penalty)
    float frequency_penalty = 0.f; // OpenAI-style, additive per occurrence
    float presence_penalty = 0.f;  // OpenAI-style, additive once
    int32_t penalty_last_n = 64;   // window of recent tokens the penalties look at
    uint64_t seed = 0;             // same seed + same inputs = same tokens

    static SamplingParams greedy() {
        SamplingParams p;
        p.temperature = 0;
        return p;
    }
};

}  // namespace veil
