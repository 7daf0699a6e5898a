#include "bench/bytes_per_token.h"

#include <gtest/gtest.h>

#include <vector>

namespace veil::bench {
namespace {

veil_tensor_desc tensor(const char* name, uint64_t cols, uint64_t rows, uint64_t bytes) {
    veil_tensor_desc t{};
    t.name = name;
    t.type = VEIL_TYPE_Q8_0;
    t.n_dims = 2;
    t.dims[0] = cols;
    t.dims[1] = rows;
    t.dims[2] = t.dims[3] = 1;
    t.n_bytes = bytes;
    return t;
}

veil_model_source source_of(const std::vector<veil_tensor_desc>& tensors) {
    veil_model_source s{};
    s.struct_size = sizeof s;
    s.n_tensors = tensors.size();
    s.tensors = tensors.data();
    return s;
}

TEST(BytesPerToken, EmbeddingTableCountsOneRow) {
    const std::vector<veil_tensor_desc> t = {tensor("token_embd.weight", 64, 1000, 68000),
                                             tensor("blk.0.attn_q.weight", 64, 64, 4352),
                                             tensor("output.weight", 64, 1000, 68000)};
    EXPECT_EQ(weight_bytes_per_token(source_of(t), 140352), 140352u - 68000u + 68u);
}

TEST(BytesPerToken, TiedOutputReadsTheWholeEmbeddingTable) {
    const std::vector<veil_tensor_desc> t = {tensor("token_embd.weight", 64, 1000, 68000),
                                             tensor("blk.0.attn_q.weight", 64, 64, 4352)};
    EXPECT_EQ(weight_bytes_per_token(source_of(t), 72352), 72352u);
}

}  // namespace
}  // namespace veil::bench
