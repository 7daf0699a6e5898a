// Tensor type choices against llama.cpp's llama_tensor_get_type, on TinyLlama's 22 layers.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "cli/model_quant_types.h"
#include "cli/options.h"

namespace veil::cli {
namespace {

using engine::GgmlType;

std::vector<TensorShape> tinyllama() {
    const uint32_t f32 = static_cast<uint32_t>(GgmlType::F32);
    std::vector<TensorShape> t = {{"token_embd.weight", f32, 2, 2048}};
    for (int l = 0; l < 22; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        t.push_back({b + "attn_norm.weight", f32, 1, 2048});
        t.push_back({b + "attn_q.weight", f32, 2, 2048});
        t.push_back({b + "attn_v.weight", f32, 2, 2048});
        t.push_back({b + "ffn_down.weight", f32, 2, 5632});
    }
    t.push_back({"output_norm.weight", f32, 1, 2048});
    t.push_back({"output.weight", f32, 2, 2048});
    return t;
}

GgmlType type_of(const std::vector<TensorShape>& t, const std::vector<GgmlType>& types, const std::string& name) {
    for (size_t i = 0; i < t.size(); ++i)
        if (t[i].name == name) return types[i];
    throw std::runtime_error("no tensor " + name);
}

TEST(QuantTypes, Q4_K_MUsesQ6_KOnLlamaCppsLayers) {
    const auto t = tinyllama();
    const auto types = choose_tensor_types(quant_target("q4_k_m"), t);
    // use_more_bits(i, 22): i < 2, i >= 19, or (i - 2) % 3 == 2.
    const std::set<int> more = {0, 1, 4, 7, 10, 13, 16, 19, 20, 21};
    for (int l = 0; l < 22; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        const GgmlType want = more.count(l) ? GgmlType::Q6_K : GgmlType::Q4_K;
        EXPECT_EQ(type_of(t, types, b + "attn_v.weight"), want) << l;
        EXPECT_EQ(type_of(t, types, b + "ffn_down.weight"), want) << l;
        EXPECT_EQ(type_of(t, types, b + "attn_q.weight"), GgmlType::Q4_K) << l;
        EXPECT_EQ(type_of(t, types, b + "attn_norm.weight"), GgmlType::F32) << l;
    }
    EXPECT_EQ(type_of(t, types, "token_embd.weight"), GgmlType::Q4_K);
    EXPECT_EQ(type_of(t, types, "output.weight"), GgmlType::Q6_K);
    EXPECT_EQ(type_of(t, types, "output_norm.weight"), GgmlType::F32);
}

TEST(QuantTypes, OutputWeightRules) {
    const auto t = tinyllama();
    auto q4 = choose_tensor_types(quant_target("Q4_0"), t);
    EXPECT_EQ(type_of(t, q4, "output.weight"), GgmlType::Q6_K);
    EXPECT_EQ(type_of(t, q4, "token_embd.weight"), GgmlType::Q4_0);
    EXPECT_EQ(type_of(t, q4, "blk.0.attn_v.weight"), GgmlType::Q4_0);  // no mixture for Q4_0
    auto q8 = choose_tensor_types(quant_target("Q8_0"), t);
    EXPECT_EQ(type_of(t, q8, "output.weight"), GgmlType::Q8_0);
    auto f16 = choose_tensor_types(quant_target("F16"), t);
    EXPECT_EQ(type_of(t, f16, "output.weight"), GgmlType::F16);
    EXPECT_EQ(type_of(t, f16, "output_norm.weight"), GgmlType::F32);
    // Tied embeddings (no output.weight): token_embd takes output's role.
    auto tied = t;
    tied.pop_back();
    auto q4t = choose_tensor_types(quant_target("Q4_0"), tied);
    EXPECT_EQ(type_of(tied, q4t, "token_embd.weight"), GgmlType::Q6_K);
}

TEST(QuantTypes, RowsThatAreNotWholeBlocks) {
    const uint32_t f32 = static_cast<uint32_t>(GgmlType::F32);
    // Q6_K falls back to Q8_0 as in llama.cpp; Q4_K's fallback (Q5_0) is refused, naming the tensor.
    std::vector<TensorShape> t = {{"output.weight", f32, 2, 96}};
    EXPECT_EQ(choose_tensor_types(quant_target("Q4_K_M"), t)[0], GgmlType::Q8_0);
    t = {{"blk.0.attn_q.weight", f32, 2, 96}};
    try {
        choose_tensor_types(quant_target("Q4_K_M"), t);
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("blk.0.attn_q.weight"), std::string::npos) << e.what();
    }
    t = {{"blk.0.attn_q.weight", f32, 2, 40}};
    EXPECT_THROW(choose_tensor_types(quant_target("Q8_0"), t), std::runtime_error);
    EXPECT_THROW(quant_target("Q5_K_S"), UsageError);
}

}  // namespace
}  // namespace veil::cli
