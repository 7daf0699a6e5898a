// `veil model synth` through the real binary: the files load and generate with backend_full,
// are reproducible from the seed, and carry the llama metadata and tokenizer they should.
#include <gtest/gtest.h>

#include <filesystem>

#include "../gguf/gguf_test_util.h"
#include "cli_run.h"

namespace veil {
namespace {

using test::CliRun;
using test::quote;

const std::string kStories = test::testdata("models/stories260K.gguf");
const std::string kSmall = "--shape 256,2,512,4,2,600";

CliRun synth(const std::string& args) { return test::run_veil("model synth " + args); }

// Built-in vocabulary (no --vocab-from), every writable type: loads and generates.
TEST(SynthCli, BuiltinVocabModelGeneratesWithBackendFull) {
    test::TempDir dir;
    for (std::string type : {"F32", "Q8_0", "Q4_0", "Q4_K_M"}) {
        const std::string out = dir.file(type + ".gguf");
        CliRun r = synth(kSmall + " --type " + type + " --out " + quote(out));
        ASSERT_EQ(r.code, 0) << r.out;
        EXPECT_NE(r.out.find("RANDOM weights"), std::string::npos) << r.out;
        r = test::run_veil("generate --model " + quote(out) +
                           " --backend full --prompt 'Hello, world' -n 8 --temp 0 --threads 2");
        ASSERT_EQ(r.code, 0) << type << ": " << r.out;
        EXPECT_NE(r.out.find("8 generated"), std::string::npos) << type << ": " << r.out;
    }
}

// Same seed -> same bytes, whatever the thread count; another seed -> other weights.
TEST(SynthCli, SeedDeterminesTheFile) {
    test::TempDir dir;
    const std::string a = dir.file("a.gguf"), b = dir.file("b.gguf"), c = dir.file("c.gguf");
    ASSERT_EQ(synth(kSmall + " --type Q4_K_M --seed 7 --threads 1 --out " + quote(a)).code, 0);
    ASSERT_EQ(synth(kSmall + " --type Q4_K_M --seed 7 --threads 2 --out " + quote(b)).code, 0);
    ASSERT_EQ(synth(kSmall + " --type Q4_K_M --seed 8 --threads 2 --out " + quote(c)).code, 0);
    const auto ba = test::read_all(a), bc = test::read_all(c);
    EXPECT_TRUE(ba == test::read_all(b));
    ASSERT_EQ(ba.size(), bc.size());  // only the seed in the description and the weights differ
    EXPECT_FALSE(std::equal(ba.end() - 4096, ba.end(), bc.end() - 4096));
}

// --vocab-from copies the tokenizer (stories260K: 512 tokens) and the llama metadata is complete.
TEST(SynthCli, VocabFromCopiesTheTokenizerAndWritesLlamaMetadata) {
    test::TempDir dir;
    const std::string out = dir.file("v.gguf");
    CliRun r = synth("--shape 128,2,256,4,4,512 --type F16 --vocab-from " + quote(kStories) + " --out " + quote(out));
    ASSERT_EQ(r.code, 0) << r.out;
    auto js = test::parse_json(test::run_veil("model inspect " + quote(out) + " --json").out);
    auto meta = js->getObject("metadata");
    EXPECT_EQ(meta->getValue<std::string>("general.architecture"), "llama");
    EXPECT_EQ(meta->getValue<uint32_t>("llama.embedding_length"), 128u);
    EXPECT_EQ(meta->getValue<uint32_t>("llama.block_count"), 2u);
    EXPECT_EQ(meta->getValue<uint32_t>("llama.feed_forward_length"), 256u);
    EXPECT_EQ(meta->getValue<uint32_t>("llama.attention.head_count"), 4u);
    EXPECT_EQ(meta->getValue<uint32_t>("llama.attention.head_count_kv"), 4u);
    EXPECT_EQ(meta->getValue<uint32_t>("llama.rope.dimension_count"), 32u);
    EXPECT_EQ(meta->getValue<uint32_t>("general.file_type"), 1u);
    EXPECT_NE(meta->getValue<std::string>("general.description").find("RANDOM WEIGHTS"), std::string::npos);
    EXPECT_TRUE(meta->has("llama.attention.layer_norm_rms_epsilon"));
    EXPECT_TRUE(meta->has("llama.rope.freq_base"));
    EXPECT_EQ(meta->getValue<std::string>("tokenizer.ggml.model"), "llama");
    EXPECT_EQ(js->getObject("metadata_arrays")->getObject("tokenizer.ggml.tokens")->getValue<uint64_t>("length"), 512u);
    EXPECT_EQ(js->getValue<uint64_t>("n_tensors"), 1u + 2u * 9u + 2u);

    // The copied tokenizer is stories260K's: same ids for the same text.
    CliRun ours = test::run_veil("tokenize --model " + quote(out) + " --text 'Once upon a time'");
    CliRun theirs = test::run_veil("tokenize --model " + quote(kStories) + " --text 'Once upon a time'");
    ASSERT_EQ(ours.code, 0) << ours.out;
    EXPECT_EQ(ours.out, theirs.out);
}

TEST(SynthCli, RefusesBadInput) {
    test::TempDir dir;
    const std::string out = quote(dir.file("x.gguf"));
    CliRun r = synth("--shape 128,2,256,4,4,1000 --type F16 --vocab-from " + quote(kStories) + " --out " + out);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("has 512 tokens but the shape's vocab is 1000"), std::string::npos) << r.out;
    r = synth("--shape 100,2,256,3,3,600 --type F16 --out " + out);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("heads (3) must divide dim"), std::string::npos) << r.out;
    r = synth("--shape 128,2,256 --type F16 --out " + out);
    EXPECT_EQ(r.code, 2) << r.out;
    r = synth("--shape 128,2,256,4,4,100 --type F16 --out " + out);
    EXPECT_NE(r.out.find("built-in vocabulary needs vocab >= 260"), std::string::npos) << r.out;
    // Rows of 128 cannot be Q4_K (256-element super-blocks), and llama.cpp's fallback is Q5_0.
    r = synth("--shape 128,2,256,4,4,600 --type Q4_K_M --out " + out);
    EXPECT_NE(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("q5_0, which Veil cannot write"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(dir.file("x.gguf")));
}

}  // namespace
}  // namespace veil
