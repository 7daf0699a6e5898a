#include "bench/bench_prompt.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "../gguf/gguf_test_util.h"
#include "gguf/gguf_file.h"

namespace veil::bench {
namespace {

std::unique_ptr<Tokenizer> stories_tokenizer() {
    return Tokenizer::from_gguf(*GgufFile::open(test::testdata("models/stories260K.gguf")));
}

TEST(BenchPrompt, BosThenNormalTokensTheSameEveryTime) {
    auto tok = stories_tokenizer();
    const std::vector<int32_t> a = benchmark_prompt(*tok, 64), b = benchmark_prompt(*tok, 64);
    ASSERT_EQ(a.size(), 64u);
    EXPECT_EQ(a, b);
    ASSERT_TRUE(tok->adds_bos());
    EXPECT_EQ(a[0], tok->bos());
    std::set<int32_t> distinct;
    for (size_t i = 1; i < a.size(); ++i) {
        ASSERT_GE(a[i], 0);
        ASSERT_LT(static_cast<size_t>(a[i]), tok->n_vocab());
        EXPECT_EQ(tok->vocab().type[static_cast<size_t>(a[i])], TokenType::Normal) << a[i];
        distinct.insert(a[i]);
    }
    EXPECT_GT(distinct.size(), 30u);  // drawn, not one token repeated
}

TEST(BenchPrompt, ZeroTokensIsAnError) {
    auto tok = stories_tokenizer();
    EXPECT_THROW(benchmark_prompt(*tok, 0), std::invalid_argument);
}

}  // namespace
}  // namespace veil::bench
