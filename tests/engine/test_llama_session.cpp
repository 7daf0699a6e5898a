// Session semantics of the LLaMA forward pass (prefill, chunking, rewind, overflow) and the
// validation of hyper-parameters and tensors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "test_llama_proxy.h"
#include "test_llama_support.h"
#include "veil/engine/llama_error.h"
#include "veil/engine/llama_forward.h"

namespace veil::test {
namespace {

using engine::LlamaError;
using engine::LlamaModel;
using engine::LlamaSession;

std::filesystem::path model_path(const char* name) { return testdata_dir() / "models" / name; }

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    float d = 0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

struct Stories {
    Stories() : gguf(open_gguf(model_path("stories260K.gguf"))), tensors(*gguf->abi()),
                model(*gguf->abi(), [this](size_t i) { return tensors.data(i); }, 1) {}
    std::unique_ptr<GgufModelSource> gguf;
    OwnedTensors tensors;
    LlamaModel model;
    std::vector<float> logits() const { return std::vector<float>(model.hparams().n_vocab); }
};

const std::vector<int32_t> kLily = {1, 317, 269, 311, 357, 263, 377, 267, 265, 282, 295, 433, 426, 342, 394};

TEST(LlamaSession, HParamsOfStories260K) {
    Stories m;
    const auto& hp = m.model.hparams();
    EXPECT_EQ(hp.n_embd, 64u);
    EXPECT_EQ(hp.n_layer, 5u);
    EXPECT_EQ(hp.n_head, 8u);
    EXPECT_EQ(hp.n_head_kv, 4u);
    EXPECT_EQ(hp.head_dim, 8u);
    EXPECT_EQ(hp.n_ff, 172u);
    EXPECT_EQ(hp.n_vocab, 512u);
    EXPECT_EQ(hp.n_ctx_train, 2048u);
    EXPECT_FLOAT_EQ(hp.rope_freq_base, 10000.0f);
}

TEST(LlamaSession, PrefillMatchesTokenByToken) {
    Stories m;
    LlamaSession batch(m.model, 64), single(m.model, 64);
    auto a = m.logits(), b = m.logits();
    batch.eval(kLily.data(), kLily.size(), a.data());
    for (int32_t t : kLily) single.eval(&t, 1, b.data());
    EXPECT_GT(cosine(a, b), 0.99999);
    EXPECT_LE(max_abs_diff(a, b), 1e-3f);
    EXPECT_EQ(batch.position(), kLily.size());
}

TEST(LlamaSession, LongPromptIsChunked) {
    Stories m;
    std::vector<int32_t> prompt;
    while (prompt.size() < LlamaSession::kMaxBatch * 2 + 37) prompt.insert(prompt.end(), kLily.begin(), kLily.end());
    LlamaSession whole(m.model, 512), pieces(m.model, 512);
    auto a = m.logits(), b = m.logits();
    whole.eval(prompt.data(), prompt.size(), a.data());
    // Uneven pieces, logits only at the end: the cache must be identical either way.
    for (size_t i = 0; i < prompt.size();) {
        size_t n = std::min<size_t>(prompt.size() - i, 1 + i % 7);
        pieces.eval(prompt.data() + i, n, i + n == prompt.size() ? b.data() : nullptr);
        i += n;
    }
    EXPECT_GT(cosine(a, b), 0.99999);
    EXPECT_LE(max_abs_diff(a, b), 1e-3f);
}

TEST(LlamaSession, RewindReplaysExactly) {
    Stories m;
    LlamaSession s(m.model, 64);
    auto first = m.logits(), again = m.logits();
    s.eval(kLily.data(), kLily.size(), nullptr);
    const int32_t next[3] = {300, 301, 302};
    s.eval(&next[0], 1, first.data());
    s.eval(&next[1], 2, nullptr);
    EXPECT_EQ(s.position(), kLily.size() + 3);
    s.rewind(static_cast<uint32_t>(kLily.size()));
    EXPECT_EQ(s.position(), kLily.size());
    s.eval(&next[0], 1, again.data());
    EXPECT_EQ(first, again);
    EXPECT_THROW(s.rewind(s.position() + 1), LlamaError);
}

TEST(LlamaSession, ContextOverflowNamesTheNumbers) {
    Stories m;
    LlamaSession s(m.model, 8);
    s.eval(kLily.data(), 5, nullptr);
    try {
        s.eval(kLily.data(), 4, nullptr);
        FAIL() << "overflow accepted";
    } catch (const LlamaError& e) {
        const std::string msg = e.what();
        EXPECT_EQ(e.code(), VEIL_ERR_INVALID_ARGUMENT);
        EXPECT_NE(msg.find("position 5"), std::string::npos) << msg;
        EXPECT_NE(msg.find("4 tokens"), std::string::npos) << msg;
        EXPECT_NE(msg.find("n_ctx of 8"), std::string::npos) << msg;
    }
    EXPECT_EQ(s.position(), 5u);  // unchanged by the refused call
    s.eval(kLily.data(), 3, nullptr);
    EXPECT_EQ(s.position(), 8u);
}

TEST(LlamaSession, DefaultAndAbsurdContextSizes) {
    Stories m;
    EXPECT_EQ(LlamaSession(m.model, 0).n_ctx(), 2048u);  // 0 = the training context
    EXPECT_THROW(LlamaSession(m.model, 0xFFFFFFFFu), LlamaError);
}

TEST(LlamaSession, RejectsBadTokensAndEmptyBatches) {
    Stories m;
    LlamaSession s(m.model, 8);
    const int32_t neg = -1, big = 512;
    EXPECT_THROW(s.eval(&neg, 1, nullptr), LlamaError);
    EXPECT_THROW(s.eval(&big, 1, nullptr), LlamaError);
    EXPECT_THROW(s.eval(kLily.data(), 0, nullptr), LlamaError);
    EXPECT_EQ(s.position(), 0u);
}

// ---- validation ------------------------------------------------------------------------------------

std::string load_error(ProxySource& proxy) {
    const veil_model_source& src = proxy.abi();
    OwnedTensors tensors(src);
    try {
        LlamaModel model(src, [&](size_t i) { return tensors.data(i); }, 1);
    } catch (const LlamaError& e) {
        return e.what();
    }
    return "";
}

TEST(LlamaValidation, MissingTensorIsNamed) {
    auto g = open_gguf(model_path("stories260K.gguf"));
    ProxySource p(*g->abi());
    p.remove_tensor("blk.3.ffn_up.weight");
    EXPECT_NE(load_error(p).find("'blk.3.ffn_up.weight' is missing"), std::string::npos) << load_error(p);
}

TEST(LlamaValidation, WrongDimsAreNamed) {
    auto g = open_gguf(model_path("synth-d256-Q4_K_M.gguf"));
    ProxySource p(*g->abi());
    p.find("blk.1.attn_k.weight")->dims[1] = 256;
    const std::string msg = load_error(p);
    EXPECT_NE(msg.find("blk.1.attn_k.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("dims"), std::string::npos) << msg;
}

TEST(LlamaValidation, WrongTypeIsNamed) {
    auto g = open_gguf(model_path("stories260K.gguf"));
    ProxySource p(*g->abi());
    p.find("output_norm.weight")->type = VEIL_TYPE_F16;
    EXPECT_NE(load_error(p).find("output_norm.weight"), std::string::npos);
    auto g2 = open_gguf(model_path("stories260K.gguf"));
    ProxySource p2(*g2->abi());
    p2.find("blk.0.attn_q.weight")->type = 77;
    EXPECT_NE(load_error(p2).find("'blk.0.attn_q.weight': type 77"), std::string::npos) << load_error(p2);
}

TEST(LlamaValidation, ByteSizeMismatchIsNamed) {
    auto g = open_gguf(model_path("stories260K.gguf"));
    ProxySource p(*g->abi());
    p.find("blk.2.attn_v.weight")->n_bytes += 64;
    const std::string msg = load_error(p);
    EXPECT_NE(msg.find("blk.2.attn_v.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bytes"), std::string::npos) << msg;
}

TEST(LlamaValidation, UnusedTensorIsRefused) {
    auto g = open_gguf(model_path("stories260K.gguf"));
    ProxySource p(*g->abi());
    p.add_alias("blk.0.attn_norm.weight", "blk.0.attn_q.bias");
    EXPECT_NE(load_error(p).find("blk.0.attn_q.bias"), std::string::npos) << load_error(p);
}

TEST(LlamaValidation, MetadataProblemsAreNamed) {
    {
        auto g = open_gguf(model_path("stories260K.gguf"));
        ProxySource p(*g->abi());
        p.set_string("general.architecture", "gpt2");
        EXPECT_NE(load_error(p).find("'gpt2'"), std::string::npos) << load_error(p);
    }
    {
        auto g = open_gguf(model_path("stories260K.gguf"));
        ProxySource p(*g->abi());
        p.erase_meta("llama.block_count");
        EXPECT_NE(load_error(p).find("llama.block_count"), std::string::npos) << load_error(p);
    }
    {
        auto g = open_gguf(model_path("stories260K.gguf"));
        ProxySource p(*g->abi());
        p.set_uint("llama.attention.head_count_kv", 3);
        EXPECT_NE(load_error(p).find("head_count_kv"), std::string::npos) << load_error(p);
    }
    {
        // A block count larger than the file's layers: the first absent layer is named.
        auto g = open_gguf(model_path("stories260K.gguf"));
        ProxySource p(*g->abi());
        p.set_uint("llama.block_count", 6);
        EXPECT_NE(load_error(p).find("blk.5.attn_norm.weight"), std::string::npos) << load_error(p);
    }
}

TEST(LlamaValidation, TiedOutputUsesTokenEmbedding) {
    // Without output.weight the model must still load (llama.cpp ties it to token_embd).
    auto g = open_gguf(model_path("stories260K.gguf"));
    ProxySource p(*g->abi());
    p.remove_tensor("output.weight");
    const veil_model_source& src = p.abi();
    OwnedTensors tensors(src);
    LlamaModel model(src, [&](size_t i) { return tensors.data(i); }, 1);
    EXPECT_EQ(model.weights().output.data, model.weights().tok_embd.data);
    LlamaSession s(model, 16);
    std::vector<float> logits(model.hparams().n_vocab);
    s.eval(kLily.data(), 4, logits.data());
    EXPECT_TRUE(std::all_of(logits.begin(), logits.end(), [](float x) { return std::isfinite(x); }));
}

}  // namespace
}  // namespace veil::test
