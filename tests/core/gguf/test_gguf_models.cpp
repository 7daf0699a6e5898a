// Every model in the shared test data parses, with the shape the README documents.
#include <gtest/gtest.h>

#include <filesystem>

#include "gguf/gguf_file.h"
#include "gguf_test_util.h"

namespace veil {
namespace {

using test::testdata;

void check_common(const GgufFile& f) {
    EXPECT_EQ(f.get_string("general.architecture"), "llama");
    EXPECT_EQ(f.alignment(), 32u);
    EXPECT_EQ(f.data_offset() % 32, 0u);
    EXPECT_LE(f.data_offset(), f.file_size());
    EXPECT_EQ(f.get_u32("llama.attention.head_count"), 8u);
    EXPECT_EQ(f.get_u32("llama.attention.head_count_kv"), 4u);
    EXPECT_EQ(f.get_string("tokenizer.ggml.model"), "llama");
    EXPECT_EQ(f.get_string_array("tokenizer.ggml.tokens").size(), 512u);
    EXPECT_EQ(f.get_f32_array("tokenizer.ggml.scores").size(), 512u);
    ASSERT_FALSE(f.tensors().empty());
    uint64_t end = 0;
    for (const auto& t : f.tensors()) {
        EXPECT_EQ(t.offset % f.alignment(), 0u) << t.name;
        EXPECT_LE(f.data_offset() + t.offset + t.n_bytes, f.file_size()) << t.name;
        EXPECT_EQ(f.find_tensor(t.name), &t);
        end = std::max(end, t.offset + t.n_bytes);
    }
    // The data section holds the tensors and at most alignment padding after the last one.
    EXPECT_LE(f.file_size() - (f.data_offset() + end), f.alignment());
    const auto* emb = f.find_tensor("token_embd.weight");
    ASSERT_NE(emb, nullptr);
    EXPECT_EQ(emb->n_dims, 2u);
    EXPECT_EQ(emb->dims[1], 512u);
}

TEST(GgufModels, Stories260K) {
    auto f = GgufFile::open(testdata("models/stories260K.gguf"));
    check_common(*f);
    EXPECT_EQ(f->version(), 3u);
    EXPECT_EQ(f->get_u32("llama.block_count"), 5u);
    EXPECT_EQ(f->get_u64("llama.embedding_length"), 64u);
    EXPECT_EQ(f->get_u32("llama.feed_forward_length"), 172u);
    EXPECT_EQ(f->get_u32("llama.context_length"), 2048u);
    EXPECT_EQ(f->get_u32("tokenizer.ggml.bos_token_id"), 1u);
    EXPECT_EQ(f->get_u32("tokenizer.ggml.eos_token_id"), 2u);
    // 5 layers × 9 tensors + token_embd + output_norm (+ output unless tied).
    EXPECT_GE(f->tensors().size(), 47u);
    EXPECT_LE(f->tensors().size(), 48u);
    for (const auto& t : f->tensors()) EXPECT_EQ(t.type, 0u) << t.name;  // all F32
    const auto* q = f->find_tensor("blk.0.attn_q.weight");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->dims[0], 64u);
    EXPECT_EQ(q->dims[1], 64u);
    EXPECT_EQ(q->n_bytes, 64u * 64u * 4u);
    EXPECT_EQ(f->find_tensor("no.such.tensor"), nullptr);
    // Typed accessors refuse a wrong type, naming the key.
    EXPECT_THROW(f->get_string("llama.block_count"), GgufError);
    EXPECT_THROW(f->get_u32("missing.key"), GgufError);
    EXPECT_FALSE(f->find_u32("missing.key").has_value());
}

TEST(GgufModels, SyntheticQuantized) {
    const std::pair<const char*, uint32_t> files[] = {
        {"F16", 1}, {"Q8_0", 8}, {"Q4_0", 2}, {"Q4_K_M", 12}, {"Q5_K_M", 13}, {"Q6_K", 14}};
    for (const auto& [suffix, main_type] : files) {
        SCOPED_TRACE(suffix);
        auto f = GgufFile::open(testdata(std::string("models/synth-d256-") + suffix + ".gguf"));
        check_common(*f);
        EXPECT_EQ(f->get_u32("llama.block_count"), 4u);
        EXPECT_EQ(f->get_u32("llama.embedding_length"), 256u);
        EXPECT_EQ(f->get_u32("llama.feed_forward_length"), 768u);
        EXPECT_GE(f->tensors().size(), 4u * 9u + 2u);
        const auto* q = f->find_tensor("blk.0.attn_q.weight");
        ASSERT_NE(q, nullptr);
        EXPECT_EQ(q->dims[0], 256u);
        // Mixed-precision files (K_M) keep some tensors at other types; the main type must occur.
        bool found = false;
        for (const auto& t : f->tensors()) found = found || t.type == main_type;
        EXPECT_TRUE(found) << "no tensor of type " << main_type;
    }
}

TEST(GgufModels, TokenizerVocabFiles) {
    auto spm = GgufFile::open(testdata("tokenizer/ggml-vocab-llama-spm.gguf"));
    EXPECT_EQ(spm->get_string_array("tokenizer.ggml.tokens").size(), 32000u);
    EXPECT_TRUE(spm->tensors().empty());
    auto bpe = GgufFile::open(testdata("tokenizer/ggml-vocab-gpt-2.gguf"));
    EXPECT_EQ(bpe->get_string("tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(bpe->get_string_array("tokenizer.ggml.tokens").size(), 50257u);
    EXPECT_GT(bpe->get_string_array("tokenizer.ggml.merges").size(), 40000u);
}

TEST(GgufModels, MissingFileNamesThePath) {
    try {
        GgufFile::open("/nonexistent/model.gguf");
        FAIL() << "no exception";
    } catch (const GgufError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/model.gguf"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace veil
