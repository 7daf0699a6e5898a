// backend_stream computes on the same 16-row groups as backend_full (weight_units.h): checked bit
// for bit against backend_full on a model whose output head is cut into many pieces (a vocabulary
// far larger than a block, which the shared test models do not have), at the minimum budget
// (everything streams) and unbounded (everything resident), with its own head and tied to the
// embedding table.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "gguf_test_util.h"
#include "stream_fixture.h"
#include "test_llama_proxy.h"

namespace veil::test {
namespace {

const std::vector<int32_t> kPrompt = {1, 403, 3407, 261, 1378, 425, 2302, 258, 3999};

// dim 64, 2 layers, ffn 128, vocab 4000, Q8_0 (a type with grouped kernels on AVX-512): a block is
// 44032 bytes, so a head piece holds 647 rows of 68 bytes before rounding — not a whole number of
// row groups — and the 4000-row head is 7 pieces.
std::string synth_many_piece_model(const TempDir& dir) {
    const std::string out = dir.file("many-pieces.gguf");
    const std::string cmd = std::string("'") + VEIL_BINARY + "' model synth --shape 64,2,128,4,4,4000 --type Q8_0 --seed 7 --out '" +
                            out + "' > /dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
    return out;
}

void expect_stream_matches_full(const veil_model_source& src, const char* what) {
    const auto expected = full_greedy_logits(src, kPrompt, 6);
    for (const std::string& options : {budget_json(minimum_budget(src)), std::string(R"({"threads":2})")}) {
        SCOPED_TRACE(std::string(what) + " " + options);
        LoadedModel model;
        Err e = stream_plugin().load(src, options, model);
        ASSERT_TRUE(e.ok) << e.message;
        const auto got = greedy_logits(stream_plugin(), model, kPrompt, 6);
        ASSERT_EQ(got.size(), expected.size());
        for (size_t k = 0; k < got.size(); ++k) ASSERT_EQ(got[k], expected[k]) << "step " << k;
        auto st = stream_plugin().stats(model);
        std::printf("[row groups %s] %llu head pieces, %llu bytes in 16-row groups, %llu ns regrouping\n", what,
                    static_cast<unsigned long long>(st->getValue<uint64_t>("head_pieces")),
                    static_cast<unsigned long long>(st->getValue<uint64_t>("grouped_weight_bytes")),
                    static_cast<unsigned long long>(st->getValue<uint64_t>("group_ns")));
        EXPECT_EQ(st->getValue<uint64_t>("head_pieces"), 7u);
        // Whatever was planned in groups (where this CPU has grouped kernels) was regrouped.
        if (st->getValue<uint64_t>("grouped_weight_bytes") > 0) {
            EXPECT_GT(st->getValue<uint64_t>("group_ns"), 0u);
        }
    }
}

TEST(StreamRowGroups, HeadPiecesOnGroupBoundariesMatchFull) {
    TempDir dir;
    auto gguf = open_gguf(synth_many_piece_model(dir));
    expect_stream_matches_full(*gguf->abi(), "own head");
}

// Without output.weight the head is tok_embd, which backend_full keeps plain (embedding lookups
// read plain rows); grouping it here would round differently.
TEST(StreamRowGroups, HeadTiedToTheEmbeddingStaysPlainLikeFull) {
    TempDir dir;
    auto gguf = open_gguf(synth_many_piece_model(dir));
    ProxySource tied(*gguf->abi());
    tied.remove_tensor("output.weight");
    expect_stream_matches_full(tied.abi(), "tied head");
}

}  // namespace
}  // namespace veil::test
