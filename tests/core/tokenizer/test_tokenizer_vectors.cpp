// llama.cpp's tokenizer test vectors (shared/testdata/tokenizer), case by case, plus round trips.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../gguf/gguf_test_util.h"
#include "tokenizer/detokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_test_format.h"

namespace veil {
namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Vectors {
    std::unique_ptr<GgufFile> file;
    std::unique_ptr<Tokenizer> tok;
    std::vector<std::string> cases;
    std::vector<std::string> expected;  // .out lines with '\n'
};

Vectors load(const std::string& name) {
    Vectors v;
    std::string base = test::testdata("tokenizer/" + name);
    v.file = GgufFile::open(base);
    v.tok = Tokenizer::from_gguf(*v.file);
    v.cases = split_vocab_test_cases(slurp(base + ".inp"));
    std::istringstream out(slurp(base + ".out"));
    for (std::string line; std::getline(out, line);) v.expected.push_back(line + "\n");
    return v;
}

void check_vectors(const std::string& name) {
    Vectors v = load(name);
    ASSERT_EQ(v.cases.size(), 46u);
    ASSERT_EQ(v.cases.size(), v.expected.size());
    size_t passed = 0;
    for (size_t k = 0; k < v.cases.size(); ++k) {
        std::string got = format_token_line(v.tok->encode(v.cases[k], false, false));
        if (got == v.expected[k])
            ++passed;
        else
            ADD_FAILURE() << name << " case " << k << " \"" << v.cases[k] << "\"\n  expected:" << v.expected[k] << "  got:     " << got;
    }
    std::cout << "[ vectors  ] " << name << ": " << passed << "/" << v.cases.size() << " cases passed\n";
    EXPECT_EQ(passed, v.cases.size());
}

void check_round_trip(const std::string& name) {
    Vectors v = load(name);
    size_t passed = 0;
    for (size_t k = 0; k < v.cases.size(); ++k) {
        auto ids = v.tok->encode(v.cases[k], false, false);
        std::string back = v.tok->decode(ids);
        if (back == v.cases[k])
            ++passed;
        else
            ADD_FAILURE() << name << " case " << k << ": \"" << v.cases[k] << "\" came back as \"" << back << "\"";
        // Streaming, token by token: every chunk is whole UTF-8 and the chunks add up.
        Detokenizer d(*v.tok);
        std::string streamed;
        for (int32_t id : ids) streamed += d.push(id);
        streamed += d.flush();
        EXPECT_EQ(streamed, v.cases[k]) << name << " case " << k;
    }
    std::cout << "[ roundtrip] " << name << ": " << passed << "/" << v.cases.size() << " cases\n";
}

TEST(TokenizerVectors, LlamaSpm) { check_vectors("ggml-vocab-llama-spm.gguf"); }
TEST(TokenizerVectors, Gpt2Bpe) { check_vectors("ggml-vocab-gpt-2.gguf"); }
TEST(TokenizerRoundTrip, LlamaSpm) { check_round_trip("ggml-vocab-llama-spm.gguf"); }
TEST(TokenizerRoundTrip, Gpt2Bpe) { check_round_trip("ggml-vocab-gpt-2.gguf"); }

TEST(TokenizerVectors, CaseSplitterKeepsEmptyAndNewlineCases) {
    auto cases = split_vocab_test_cases("a\n__ggml_vocab_test__\n\n__ggml_vocab_test__\n\n\n__ggml_vocab_test__\n");
    EXPECT_EQ(cases, (std::vector<std::string>{"a", "", "\n"}));
    EXPECT_EQ(format_token_line({}), "\n");
    EXPECT_EQ(format_token_line({1, 22}), " 1 22\n");
}

}  // namespace
}  // namespace veil
