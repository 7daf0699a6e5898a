#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace veil {

int32_t argmax(std::span<const float> logits) {
    int32_t best = 0;
    for (size_t i = 1; i < logits.size(); ++i)
        if (logits[i] > logits[static_cast<size_t>(best)]) best = static_cast<int32_t>(i);
    return best;
}

Sampler::Sampler(const SamplingParams& params, uint32_t n_vocab)
    : params_(params), n_vocab_(n_vocab), rng_(params.seed), candidates_(n_vocab), probs_(n_vocab), counts_(n_vocab, 0) {
    if (n_vocab == 0) throw std::invalid_argument("sampler: empty vocabulary");
    if (!(params.temperature >= 0)) throw std::invalid_argument("temperature must be >= 0");
    if (params.top_k < 0) throw std::invalid_argument("top_k must be >= 0");
    if (!(params.top_p > 0 && params.top_p <= 1)) throw std::invalid_argument("top_p must be in (0, 1]");
    if (!(params.min_p >= 0 && params.min_p <= 1)) throw std::invalid_argument("min_p must be in [0, 1]");
    if (!(params.repeat_penalty > 0)) throw std::invalid_argument("repeat_penalty must be > 0");
    if (params.penalty_last_n < 0) throw std::invalid_argument("penalty_last_n must be >= 0");
}

double Sampler::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

void Sampler::apply_penalties(std::span<const int32_t> history) {
    const bool any = params_.repeat_penalty != 1.0f || params_.frequency_penalty != 0.0f ||
                     params_.presence_penalty != 0.0f;
    if (!any || params_.penalty_last_n == 0 || history.empty()) return;
    size_t window = std::min(history.size(), static_cast<size_t>(params_.penalty_last_n));
    auto recent = history.subspan(history.size() - window);
    for (int32_t t : recent)
        if (t >= 0 && static_cast<uint32_t>(t) < n_vocab_) ++counts_[static_cast<size_t>(t)];
    for (int32_t t : recent) {
        if (t < 0 || static_cast<uint32_t>(t) >= n_vocab_) continue;
        uint32_t& count = counts_[static_cast<size_t>(t)];
        if (count == 0) continue;  // already applied for an earlier occurrence
        float& logit = candidates_[static_cast<size_t>(t)].logit;
        // llama.cpp: divide positive logits, multiply negative ones, so the token always loses.
        logit = logit > 0 ? logit / params_.repeat_penalty : logit * params_.repeat_penalty;
        logit -= static_cast<float>(count) * params_.frequency_penalty + params_.presence_penalty;
        count = 0;
    }
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
    if (logits.size() != n_vocab_) throw std::invalid_argument("sampler: logits size differs from the vocabulary");
    for (uint32_t i = 0; i < n_vocab_; ++i) candidates_[i] = {static_cast<int32_t>(i), logits[i]};
    apply_penalties(history);

    if (params_.temperature <= 0) {
        size_t best = 0;
        for (size_t i = 1; i < n_vocab_; ++i)
            if (candidates_[i].logit > candidates_[best].logit) best = i;
        return candidates_[best].id;
    }

    // Sort descending by logit (ties: lower id first) once; every filter below then keeps a prefix.
    size_t n = n_vocab_;
    auto by_logit = [](const Candidate& a, const Candidate& b) {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    };
    if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < n) {
        n = static_cast<size_t>(params_.top_k);
        std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<long>(n), candidates_.end(), by_logit);
    } else {
        std::sort(candidates_.begin(), candidates_.end(), by_logit);
    }

    // Softmax over the kept prefix (at temperature 1, as llama.cpp applies top-p/min-p before temp).
    auto softmax = [&](size_t count, float temperature) {
        const float max_logit = candidates_[0].logit;
        double sum = 0;
        for (size_t i = 0; i < count; ++i) {
            probs_[i] = std::exp((candidates_[i].logit - max_logit) / temperature);
            sum += probs_[i];
        }
        for (size_t i = 0; i < count; ++i) probs_[i] = static_cast<float>(probs_[i] / sum);
    };

    if (params_.top_p < 1.0f) {
        softmax(n, 1.0f);
        double cumulative = 0;
        for (size_t i = 0; i < n; ++i) {
            cumulative += probs_[i];
            if (cumulative >= params_.top_p) {
                n = i + 1;
                break;
            }
        }
    }
    if (params_.min_p > 0.0f) {
        // Keep tokens whose probability is at least min_p times the top token's.
        const float threshold = candidates_[0].logit + std::log(params_.min_p);
        size_t keep = 1;
        while (keep < n && candidates_[keep].logit >= threshold) ++keep;
        n = keep;
    }

    softmax(n, params_.temperature);
    double r = uniform(), cumulative = 0;
    for (size_t i = 0; i < n; ++i) {
        cumulative += probs_[i];
        if (r < cumulative) return candidates_[i].id;
    }
    return candidates_[n - 1].id;  // rounding left r just above the total
}

}  // namespace veil
