// Tokenizer of stories260K against llama.cpp's prompt tokens, special tokens and the streaming
// detokenizer's UTF-8 handling.
#include <gtest/gtest.h>

#include <fstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "../gguf/gguf_test_util.h"
#include "../util/log_capture.h"
#include "tokenizer/detokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_error.h"

namespace veil {
namespace {

std::vector<int32_t> reference_prompt(const std::string& name) {
    std::ifstream in(test::testdata("reference/" + name));
    std::string line;
    std::getline(in, line);
    auto obj = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    auto arr = obj->getArray("prompt_tokens");
    std::vector<int32_t> ids;
    for (size_t k = 0; k < arr->size(); ++k) ids.push_back(arr->getElement<int32_t>(static_cast<unsigned>(k)));
    return ids;
}

class StoriesTokenizer : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = GgufFile::open(test::testdata("models/stories260K.gguf"));
        tok_ = Tokenizer::from_gguf(*file_);
    }
    std::unique_ptr<GgufFile> file_;
    std::unique_ptr<Tokenizer> tok_;
};

TEST_F(StoriesTokenizer, MatchesLlamaCppPrompts) {
    auto once = reference_prompt("stories260K.once.jsonl");
    ASSERT_FALSE(once.empty());
    EXPECT_EQ(tok_->encode("Once upon a time", true, false), once);
    auto lily = reference_prompt("stories260K.lily.jsonl");
    EXPECT_EQ(tok_->encode("Lily and her mom went to the park. They saw", true, false), lily);
    EXPECT_EQ(tok_->decode(once), "Once upon a time");
    EXPECT_EQ(tok_->decode(lily), "Lily and her mom went to the park. They saw");
}

TEST_F(StoriesTokenizer, BasicsAndSpecialTokens) {
    EXPECT_EQ(tok_->n_vocab(), 512u);
    EXPECT_EQ(tok_->bos(), 1);
    EXPECT_EQ(tok_->eos(), 2);
    EXPECT_TRUE(tok_->is_eog(2));
    EXPECT_FALSE(tok_->is_eog(1));
    EXPECT_EQ(tok_->token_text(1), "<s>");
    EXPECT_THROW(tok_->token_text(512), TokenizerError);
    EXPECT_THROW(tok_->decode(-1), TokenizerError);
    EXPECT_EQ(tok_->decode(1), "");        // control tokens are not text
    EXPECT_EQ(tok_->decode(1, true), "<s>");
    // "<s>" in text is a control token only when asked for; then the text after it gets a space prefix.
    auto with = tok_->encode("<s>Once", false, true);
    ASSERT_FALSE(with.empty());
    EXPECT_EQ(with[0], 1);
    EXPECT_EQ(std::vector<int32_t>(with.begin() + 1, with.end()), tok_->encode("Once", false, false));
    auto without = tok_->encode("<s>Once", false, false);
    EXPECT_NE(without[0], 1);
    EXPECT_TRUE(tok_->encode("", true, false) == std::vector<int32_t>{1});
    EXPECT_TRUE(tok_->encode("", false, false).empty());
}

TEST_F(StoriesTokenizer, ByteFallbackAndStreamingUtf8) {
    // A character the 512-token vocabulary lacks is spelled with <0xNN> byte tokens.
    const std::string text = "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC";  // "café 日本"
    auto ids = tok_->encode(text, false, false);
    size_t byte_tokens = 0;
    for (int32_t id : ids) byte_tokens += tok_->token_text(id).substr(0, 3) == "<0x";
    EXPECT_GE(byte_tokens, 3u);
    // Streaming never emits part of a character.
    Detokenizer d(*tok_);
    std::string all;
    for (int32_t id : ids) {
        std::string chunk = d.push(id);
        for (size_t i = 0; i < chunk.size();) {
            unsigned char c = static_cast<unsigned char>(chunk[i]);
            size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            ASSERT_LE(i + n, chunk.size()) << "split character in chunk";
            i += n;
        }
        all += chunk;
    }
    EXPECT_EQ(d.flush(), "");
    EXPECT_EQ(all, text);
}

TEST(Detokenizer, HoldsIncompleteSequencesUntilComplete) {
    auto file = GgufFile::open(test::testdata("tokenizer/ggml-vocab-llama-spm.gguf"));
    auto tok = Tokenizer::from_gguf(*file);
    // U+2581 as three byte tokens: nothing comes out until the last one.
    auto byte_tok = [&](const char* t) { return tok->vocab().find(t); };
    int32_t e2 = byte_tok("<0xE2>"), x96 = byte_tok("<0x96>"), x81 = byte_tok("<0x81>");
    ASSERT_GE(e2, 0);
    Detokenizer d(*tok);
    EXPECT_EQ(d.push(tok->vocab().find("\xE2\x96\x81" "a")), "a");  // leading space prefix dropped
    EXPECT_EQ(d.push(e2), "");
    EXPECT_EQ(d.push(x96), "");
    EXPECT_EQ(d.push(x81), "\xE2\x96\x81");
    // A dangling lead byte is released by flush.
    EXPECT_EQ(d.push(e2), "");
    EXPECT_EQ(d.flush(), "\xE2");
}

TEST(Tokenizer, RefusesFilesWithoutTokenizer) {
    test::TempDir dir;
    test::Bytes b = test::Bytes::header(0, 1);
    b.str("general.architecture").u32(8).str("llama");
    auto f = GgufFile::parse(b.b.data(), b.b.size(), "notok.gguf");
    EXPECT_THROW(Tokenizer::from_gguf(*f), TokenizerError);
}

TEST(Tokenizer, SpecialTokenIdOutsideTheVocabularyKeepsTheDefaultAndSaysSo) {
    test::Bytes b = test::Bytes::header(0, 3);
    b.str("tokenizer.ggml.model").u32(8).str("llama");
    b.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(4).str("<unk>").str("<s>").str("</s>").str("a");
    b.str("tokenizer.ggml.bos_token_id").u32(4).u32(99);
    auto f = GgufFile::parse(b.b.data(), b.b.size(), "bad-bos.gguf");
    test::LogCapture log;
    auto tok = Tokenizer::from_gguf(*f);
    EXPECT_EQ(tok->vocab().bos, 1);  // SPM's default, as llama.cpp keeps it
    EXPECT_NE(log.text().find("bad-bos.gguf: tokenizer.ggml.bos_token_id = 99 is not a token of the 4-token vocabulary; "
                              "using 1"),
              std::string::npos)
        << log.text();
}

}  // namespace
}  // namespace veil
