// llama.cpp's reference output as `veil parity` reads it (shared/testdata/reference): line 1
// {"prompt_tokens":[...]}, then one {"step":k,"argmax":t,"logits":[...]} per greedy step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace veil::cli {

struct ReferenceStep {
    int32_t argmax = 0;
    std::vector<float> logits;
};

struct ParityReference {
    std::vector<int32_t> prompt;
    std::vector<ReferenceStep> steps;  // every step has the same number of logits, argmax among them
};

// Throws std::runtime_error naming the file, the line and the field that is wrong.
ParityReference read_parity_reference(const std::string& path);

}  // namespace veil::cli
