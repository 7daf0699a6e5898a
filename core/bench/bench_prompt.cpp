#include "bench/bench_prompt.h"

#include <random>
#include <stdexcept>

namespace veil::bench {

std::vector<int32_t> benchmark_prompt(const Tokenizer& tokenizer, uint32_t n) {
    if (n == 0) throw std::invalid_argument("the benchmark prompt needs at least one token");
    const Vocab& v = tokenizer.vocab();
    std::vector<int32_t> normal;
    for (size_t i = 0; i < v.size(); ++i) {
        const TokenType t = i < v.type.size() ? v.type[i] : TokenType::Normal;
        if (t == TokenType::Normal && static_cast<int32_t>(i) != v.bos && static_cast<int32_t>(i) != v.eos)
            normal.push_back(static_cast<int32_t>(i));
    }
    if (normal.empty()) throw std::invalid_argument("the vocabulary has no normal tokens to build a prompt from");
    std::vector<int32_t> out;
    out.reserve(n);
    if (tokenizer.adds_bos() && tokenizer.bos() >= 0) out.push_back(tokenizer.bos());
    // mt19937's output sequence is fixed by the standard (unlike the distributions), so the ids are
    // the same with every standard library.
    std::mt19937 rng(20240601u);
    while (out.size() < n) out.push_back(normal[rng() % normal.size()]);
    return out;
}

}  // namespace veil::bench
