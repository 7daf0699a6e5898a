#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "runtime/sampler.h"

namespace veil {
namespace {

std::vector<float> logits_of(std::initializer_list<float> v) { return std::vector<float>(v); }

TEST(Sampler, GreedyPicksTheLargestLogitLowestIdOnTies) {
    Sampler s(SamplingParams::greedy(), 5);
    auto l = logits_of({0.1f, 3.0f, -1.0f, 3.0f, 2.9f});
    EXPECT_EQ(s.sample(l, {}), 1);
    EXPECT_EQ(argmax(l), 1);
}

// The vectorized argmax equals the plain first-largest scan: every length around its 16-float
// steps, ties (including +0 and -0, which compare equal) anywhere, few distinct values.
TEST(Sampler, ArgmaxIsTheFirstLargestLogit) {
    auto first_largest = [](const std::vector<float>& v) {
        size_t best = 0;
        for (size_t i = 1; i < v.size(); ++i)
            if (v[i] > v[best]) best = i;
        return static_cast<int32_t>(best);
    };
    std::mt19937 rng(5);
    for (size_t n : {size_t{1}, size_t{3}, size_t{15}, size_t{16}, size_t{17}, size_t{31}, size_t{32}, size_t{33},
                     size_t{100}, size_t{32000}}) {
        for (int round = 0; round < 50; ++round) {
            std::vector<float> v(n);
            std::uniform_int_distribution<int> few(-3, 3);  // many ties
            for (float& x : v) x = static_cast<float>(few(rng)) * 0.5f;
            if (round % 2) v[rng() % n] = round % 4 == 1 ? 0.0f : -0.0f;
            ASSERT_EQ(argmax(v), first_largest(v)) << "n=" << n << " round " << round;
        }
    }
    EXPECT_EQ(argmax(std::vector<float>{}), 0);
    EXPECT_EQ(argmax(logits_of({-INFINITY, -INFINITY})), 0);
    EXPECT_EQ(argmax(logits_of({-1.0f, 0.0f, -0.0f})), 1);
}

// NaN never wins, wherever it is, nor makes an earlier logit lose.
TEST(Sampler, ArgmaxSkipsNaN) {
    std::vector<float> v(40, 1.0f);
    v[7] = 2.0f;
    for (size_t at : {size_t{0}, size_t{6}, size_t{8}, size_t{39}}) {
        std::vector<float> w = v;
        w[at] = NAN;
        EXPECT_EQ(argmax(w), 7) << "NaN at " << at;
    }
    EXPECT_EQ(argmax(logits_of({NAN, NAN})), 0);
}

TEST(Sampler, RepeatPenaltyDividesPositiveAndMultipliesNegativeLogits) {
    SamplingParams p = SamplingParams::greedy();
    p.repeat_penalty = 2.0f;
    Sampler s(p, 3);
    auto l = logits_of({3.0f, 2.0f, -1.0f});
    std::vector<int32_t> history = {0};
    EXPECT_EQ(s.sample(l, history), 1);  // 3.0 / 2 = 1.5 < 2.0
    auto neg = logits_of({-1.0f, -1.5f, -3.0f});
    EXPECT_EQ(s.sample(neg, history), 1);  // -1 * 2 = -2 < -1.5
}

TEST(Sampler, FrequencyAndPresencePenaltiesCountOccurrencesInTheWindow) {
    SamplingParams p = SamplingParams::greedy();
    p.frequency_penalty = 0.5f;
    p.presence_penalty = 0.25f;
    p.penalty_last_n = 3;
    Sampler s(p, 3);
    auto l = logits_of({2.0f, 1.0f, 0.0f});
    // token 0 appears twice in the window: 2.0 - 2*0.5 - 0.25 = 0.75 < 1.0
    std::vector<int32_t> history = {0, 0, 2};
    EXPECT_EQ(s.sample(l, history), 1);
    // Outside the window (last 3 = {2, 2, 2}) token 0 is not penalised.
    std::vector<int32_t> old = {0, 0, 2, 2, 2};
    EXPECT_EQ(s.sample(l, old), 0);
}

// Greedy with penalties over a full vocabulary against the definition: penalise a copy of the
// logits as llama.cpp does, then the first largest. A penalised token that ties an earlier one
// loses the tie to the lower id; the window's repeats count once for repeat_penalty.
TEST(Sampler, GreedyWithPenaltiesIsTheFirstLargestPenalisedLogit) {
    const uint32_t n_vocab = 32000;
    std::mt19937 rng(11);
    std::normal_distribution<float> dist(0.0f, 3.0f);
    SamplingParams p = SamplingParams::greedy();
    p.repeat_penalty = 1.3f;
    p.frequency_penalty = 0.2f;
    p.presence_penalty = 0.1f;
    p.penalty_last_n = 8;
    Sampler s(p, n_vocab);
    for (int round = 0; round < 50; ++round) {
        std::vector<float> logits(n_vocab);
        for (float& x : logits) x = dist(rng);
        std::vector<int32_t> history;
        for (int i = 0; i < 12; ++i) history.push_back(static_cast<int32_t>(rng() % 64));  // repeats
        // The top tokens are penalised in some rounds, so the answer moves.
        const auto top = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (round % 2 == 0) history.back() = top;

        std::vector<float> expected = logits;
        std::map<int32_t, int> counts;
        for (size_t i = history.size() - 8; i < history.size(); ++i) ++counts[history[i]];
        for (const auto& [t, n] : counts) {
            float& l = expected[static_cast<size_t>(t)];
            l = l > 0 ? l / p.repeat_penalty : l * p.repeat_penalty;
            l -= static_cast<float>(n) * p.frequency_penalty + p.presence_penalty;
        }
        const auto want = static_cast<int32_t>(std::max_element(expected.begin(), expected.end()) - expected.begin());
        EXPECT_EQ(s.sample(logits, history), want) << "round " << round;
    }

    // A tie after the penalty: 4.0 penalised to 2.0 at id 5 ties id 3's 2.0; the lower id wins.
    SamplingParams tie = SamplingParams::greedy();
    tie.repeat_penalty = 2.0f;
    Sampler t(tie, 8);
    const std::vector<float> l = {0, 0, 0, 2.0f, 0, 4.0f, 0, 0};
    const std::vector<int32_t> h = {5};
    EXPECT_EQ(t.sample(l, h), 3);
    EXPECT_EQ(l[5], 4.0f);  // the caller's logits are not modified
}

TEST(Sampler, TopKOneIsGreedy) {
    SamplingParams p;
    p.temperature = 5.0f;
    p.top_k = 1;
    p.min_p = 0;
    p.top_p = 1;
    Sampler s(p, 4);
    auto l = logits_of({0.0f, 0.1f, 0.2f, 0.05f});
    for (int i = 0; i < 50; ++i) EXPECT_EQ(s.sample(l, {}), 2);
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDifferentTokens) {
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0;
    std::vector<float> l(64, 0.0f);
    auto draw = [&](uint64_t seed) {
        p.seed = seed;
        Sampler s(p, 64);
        std::vector<int32_t> out;
        for (int i = 0; i < 32; ++i) out.push_back(s.sample(l, {}));
        return out;
    };
    EXPECT_EQ(draw(7), draw(7));
    EXPECT_NE(draw(7), draw(8));
}

TEST(Sampler, DrawsFollowTheSoftmaxDistribution) {
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0;
    p.seed = 1;
    Sampler s(p, 2);
    auto l = logits_of({0.0f, std::log(3.0f)});  // probabilities 0.25 / 0.75
    int ones = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) ones += s.sample(l, {});
    EXPECT_NEAR(static_cast<double>(ones) / n, 0.75, 0.015);
}

TEST(Sampler, TopPKeepsTheSmallestPrefixReachingP) {
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 0.5f;
    p.min_p = 0;
    Sampler s(p, 3);
    auto l = logits_of({std::log(0.6f), std::log(0.3f), std::log(0.1f)});
    for (int i = 0; i < 100; ++i) EXPECT_EQ(s.sample(l, {}), 0);
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
    SamplingParams p;
    p.temperature = 1.0f;
    p.top_k = 0;
    p.top_p = 1.0f;
    p.min_p = 0.5f;
    Sampler s(p, 3);
    auto l = logits_of({std::log(0.5f), std::log(0.3f), std::log(0.2f)});
    std::map<int32_t, int> seen;
    for (int i = 0; i < 500; ++i) ++seen[s.sample(l, {})];
    EXPECT_EQ(seen.count(2), 0u);  // 0.2 < 0.5 * 0.5
    EXPECT_GT(seen[1], 0);         // 0.3 >= 0.25
}

// The sampler sorts only the candidates top-p and min-p can keep. It draws the same tokens as the
// plain algorithm that sorts the whole vocabulary first (llama.cpp's order: top-k, top-p on the
// probabilities over every candidate left, min-p, temperature), for each combination of filters,
// on vocabularies with a peaked and a flat distribution (a long top-p prefix: several sort chunks).
TEST(Sampler, SortsOnlyWhatTheFiltersKeepWithTheSameDraws) {
    struct Candidate {
        int32_t id;
        float logit;
    };
    auto plain = [](const SamplingParams& p, const std::vector<float>& logits, double r) {
        std::vector<Candidate> c;
        for (size_t i = 0; i < logits.size(); ++i) c.push_back({static_cast<int32_t>(i), logits[i]});
        std::sort(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
            return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
        });
        size_t n = p.top_k > 0 ? std::min(c.size(), static_cast<size_t>(p.top_k)) : c.size();
        if (p.top_p < 1.0f) {
            double total = 0, cumulative = 0;
            for (size_t i = 0; i < n; ++i) total += std::exp(c[i].logit - c[0].logit);
            for (size_t i = 0; i < n; ++i) {
                cumulative += static_cast<float>(std::exp(c[i].logit - c[0].logit) / total);
                if (cumulative >= p.top_p) {
                    n = i + 1;
                    break;
                }
            }
        }
        size_t keep = 1;
        while (p.min_p > 0 && keep < n && c[keep].logit >= c[0].logit + std::log(p.min_p)) ++keep;
        if (p.min_p > 0) n = keep;
        double sum = 0, cumulative = 0;
        std::vector<float> probs(n);
        for (size_t i = 0; i < n; ++i) sum += probs[i] = std::exp((c[i].logit - c[0].logit) / p.temperature);
        for (size_t i = 0; i < n; ++i)
            if (r < (cumulative += static_cast<float>(probs[i] / sum))) return c[i].id;
        return c[n - 1].id;
    };
    std::mt19937 rng(11);
    const uint32_t n_vocab = 5000;
    for (float spread : {4.0f, 0.05f}) {
        std::normal_distribution<float> logit(0, spread);
        for (int32_t top_k : {0, 40})
            for (float top_p : {1.0f, 0.95f, 0.5f})
                for (float min_p : {0.0f, 0.05f}) {
                    SamplingParams p;
                    p.temperature = 0.8f;
                    p.top_k = top_k;
                    p.top_p = top_p;
                    p.min_p = min_p;
                    p.seed = 7;
                    Sampler s(p, n_vocab);
                    std::mt19937_64 draws(7);  // the sampler's generator, same seed: the same r each step
                    for (int step = 0; step < 20; ++step) {
                        std::vector<float> l(n_vocab);
                        for (float& x : l) x = logit(rng);
                        const double r = static_cast<double>(draws() >> 11) * 0x1.0p-53;
                        ASSERT_EQ(s.sample(l, {}), plain(p, l, r)) << "spread " << spread << " top_k " << top_k << " top_p "
                                                                   << top_p << " min_p " << min_p << " step " << step;
                    }
                }
    }
}

TEST(Sampler, RejectsNonsenseParameters) {
    SamplingParams p;
    p.top_p = 0;
    EXPECT_THROW(Sampler(p, 3), std::invalid_argument);
    p = SamplingParams();
    p.temperature = -1;
    EXPECT_THROW(Sampler(p, 3), std::invalid_argument);
    EXPECT_THROW(Sampler(SamplingParams(), 0), std::invalid_argument);
}

}  // namespace
}  // namespace veil
