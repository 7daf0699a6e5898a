// Picks the next token from logits: penalties, then top-k, top-p, min-p, temperature and a
// seeded draw — llama.cpp's default order — or argmax when temperature is 0.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "runtime/sampling.h"

namespace veil {

class Sampler {
public:
    Sampler(const SamplingParams& params, uint32_t n_vocab);

    // `logits`: n_vocab values (not modified). `history`: tokens so far (prompt + generated); the
    // penalties look at its last penalty_last_n entries. Allocates nothing after construction.
    int32_t sample(std::span<const float> logits, std::span<const int32_t> history);

    const SamplingParams& params() const { return params_; }

private:
    struct Candidate {
        int32_t id;
        float logit;
    };
    // Sorts the candidates that top-k, top-p and min-p keep to the front, descending by logit
    // (ties: lower id first), and returns how many they keep (at least 1).
    size_t keep_candidates();
    // top-p over candidates [0, limit), of which [0, sorted) are sorted, with probabilities
    // exp(logit - max_logit) / total: the kept count. Sorts lazily as far as it walks.
    size_t top_p_prefix(size_t limit, size_t sorted, float max_logit, double total);
    // min-p over the sorted candidates [0, n): the kept count.
    size_t min_p_prefix(size_t n) const;
    // Whether any penalty changes a logit given this history.
    bool penalties_apply(std::span<const int32_t> history) const;
    // Applies the penalties to `logits` (a copy of the model's, indexed by token id).
    void apply_penalties(std::span<const int32_t> history, std::span<float> logits);
    double uniform();  // [0, 1), identical on every platform for a given seed

    SamplingParams params_;
    uint32_t n_vocab_;
    std::mt19937_64 rng_;
    std::vector<float> penalized_;  // the logits with penalties applied, when any apply
    std::vector<Candidate> candidates_;
    std::vector<float> probs_;
    std::vector<uint32_t> counts_;
};

// Index of the largest logit (lowest index on ties), as llama.cpp's greedy sampler.
int32_t argmax(std::span<const float> logits);

}  // namespace veil
