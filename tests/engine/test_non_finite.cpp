// find_non_finite (format library) and require_finite (engine): which bytes of each GGUF type can
// hold a NaN or an infinity, and how the place is reported. Field offsets are written out from the
// GGUF block layouts here rather than taken from the implementation's structs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "veil/engine/llama_error.h"
#include "veil/engine/llama_weights.h"
#include "veil/engine/non_finite.h"

namespace veil::engine {
namespace {

constexpr uint16_t kHalfNaN = 0x7e00, kHalfInf = 0xfc00 /* -Inf */, kHalfOne = 0x3c00;

struct BlockType {
    GgmlType type;
    size_t block_bytes;
    int64_t block_elems;
    std::vector<std::pair<const char*, size_t>> halves;  // fp16 fields: name, byte offset
};

const std::vector<BlockType>& block_types() {
    static const std::vector<BlockType> t = {
        {GgmlType::Q4_0, 18, 32, {{"d", 0}}},
        {GgmlType::Q4_1, 20, 32, {{"d", 0}, {"m", 2}}},
        {GgmlType::Q5_0, 22, 32, {{"d", 0}}},
        {GgmlType::Q5_1, 24, 32, {{"d", 0}, {"m", 2}}},
        {GgmlType::Q8_0, 34, 32, {{"d", 0}}},
        {GgmlType::Q8_1, 36, 32, {{"d", 0}, {"s", 2}}},
        {GgmlType::Q2_K, 84, 256, {{"d", 80}, {"dmin", 82}}},
        {GgmlType::Q3_K, 110, 256, {{"d", 108}}},
        {GgmlType::Q4_K, 144, 256, {{"d", 0}, {"dmin", 2}}},
        {GgmlType::Q5_K, 176, 256, {{"d", 0}, {"dmin", 2}}},
        {GgmlType::Q6_K, 210, 256, {{"d", 208}}},
    };
    return t;
}

// rows x blocks_per_row blocks whose quant bytes are all 0xFF (a NaN pattern, were it read as a
// half) and whose fp16 fields are 1.0.
std::vector<uint8_t> blocks_of(const BlockType& t, int64_t rows, int64_t blocks_per_row) {
    std::vector<uint8_t> data(static_cast<size_t>(rows * blocks_per_row) * t.block_bytes, 0xFF);
    for (size_t b = 0; b < data.size() / t.block_bytes; ++b)
        for (const auto& [name, off] : t.halves) std::memcpy(&data[b * t.block_bytes + off], &kHalfOne, 2);
    return data;
}

TEST(NonFinite, BlockTypesCheckTheirScalesOnly) {
    const int64_t rows = 5, per_row = 3;
    for (const BlockType& t : block_types()) {
        SCOPED_TRACE(type_traits(static_cast<uint32_t>(t.type))->name);
        const int64_t cols = per_row * t.block_elems;
        std::vector<uint8_t> data = blocks_of(t, rows, per_row);
        EXPECT_FALSE(find_non_finite(t.type, data.data(), rows, cols)) << "quant bytes are not scales";

        for (const auto& [name, off] : t.halves) {
            for (const uint16_t bad : {kHalfNaN, kHalfInf}) {
                std::vector<uint8_t> d = data;
                const int64_t row = 3, block = 2;
                std::memcpy(&d[static_cast<size_t>(row * per_row + block) * t.block_bytes + off], &bad, 2);
                const auto at = find_non_finite(t.type, d.data(), rows, cols);
                ASSERT_TRUE(at) << name;
                EXPECT_EQ(at->row, row);
                EXPECT_EQ(at->element, block * t.block_elems);
                EXPECT_STREQ(at->field, name);
                EXPECT_EQ(at->nan, bad == kHalfNaN);
            }
        }
    }
}

TEST(NonFinite, Q8KScaleIsAFloat) {
    const int64_t rows = 2, cols = 512;  // 292-byte blocks, d a float32 at offset 0
    std::vector<uint8_t> data(static_cast<size_t>(rows * cols / 256) * 292, 0xFF);
    const float one = 1.0f, inf = INFINITY;
    for (size_t b = 0; b < 4; ++b) std::memcpy(&data[b * 292], &one, 4);
    EXPECT_FALSE(find_non_finite(GgmlType::Q8_K, data.data(), rows, cols));
    std::memcpy(&data[3 * 292], &inf, 4);
    const auto at = find_non_finite(GgmlType::Q8_K, data.data(), rows, cols);
    ASSERT_TRUE(at);
    EXPECT_EQ(at->row, 1);
    EXPECT_EQ(at->element, 256);
    EXPECT_STREQ(at->field, "d");
    EXPECT_FALSE(at->nan);
}

// Plain types: every element, wherever it falls (inside the vector loop, in a short tail, in a
// later chunk), the first one found; the largest finite values are not mistaken for infinity.
template <typename Bits>
void check_plain(GgmlType type, Bits max_finite, Bits inf, Bits nan) {
    SCOPED_TRACE(type_traits(static_cast<uint32_t>(type))->name);
    const int64_t rows = 3, cols = 1027;  // not a multiple of any vector width; rows cross chunks
    std::vector<Bits> data(static_cast<size_t>(rows * cols));
    for (size_t i = 0; i < data.size(); ++i) data[i] = (i % 2) ? max_finite : static_cast<Bits>(max_finite | (Bits{1} << (8 * sizeof(Bits) - 1)));
    EXPECT_FALSE(find_non_finite(type, data.data(), rows, cols));
    for (const int64_t at : {int64_t{0}, int64_t{17}, cols - 1, cols + 1024, rows * cols - 1}) {
        for (const Bits bad : {inf, nan, static_cast<Bits>(inf | (Bits{1} << (8 * sizeof(Bits) - 1)))}) {
            std::vector<Bits> d = data;
            d[static_cast<size_t>(at)] = bad;
            d.back() = nan;  // a later one: the first is reported
            if (at == rows * cols - 1) d.back() = bad;
            const auto found = find_non_finite(type, d.data(), rows, cols);
            ASSERT_TRUE(found) << at;
            EXPECT_EQ(found->row, at / cols);
            EXPECT_EQ(found->element, at % cols);
            EXPECT_STREQ(found->field, "");
            EXPECT_EQ(found->nan, bad == nan) << at;
        }
    }
}

TEST(NonFinite, PlainTypesCheckEveryElement) {
    check_plain<uint32_t>(GgmlType::F32, 0x7f7fffff, 0x7f800000, 0x7fc00000);
    check_plain<uint16_t>(GgmlType::F16, 0x7bff, 0x7c00, 0x7e00);
    check_plain<uint16_t>(GgmlType::BF16, 0x7f7f, 0x7f80, 0x7fc0);
}

TEST(NonFinite, DescribeNamesTheRowAndTheBlockOrElement) {
    EXPECT_EQ(describe({3, 160, "d", true}, GgmlType::Q4_0), "row 3, block 5 (elements 160..191): its scale d is NaN");
    EXPECT_EQ(describe({0, 17, "", false}, GgmlType::F32), "row 0, element 17 is Inf");
}

TEST(RequireFinite, NamesTheTensorAndCountsRowsFromTheReadOffset) {
    const BlockType& q8 = block_types()[4];
    ASSERT_EQ(q8.type, GgmlType::Q8_0);
    const int64_t per_row = 2, rows = 4;
    std::vector<uint8_t> data = blocks_of(q8, rows, per_row);
    veil_tensor_desc d{};
    d.name = "blk.7.ffn_up.weight";
    d.type = static_cast<uint32_t>(GgmlType::Q8_0);
    d.n_dims = 2;
    d.dims[0] = static_cast<uint64_t>(per_row * 32);
    d.dims[1] = 100;
    d.n_bytes = 100 * per_row * q8.block_bytes;
    const uint64_t row_bytes = per_row * q8.block_bytes;
    EXPECT_NO_THROW(require_finite(d, data.data(), 10 * row_bytes, data.size()));

    std::memcpy(&data[(2 * per_row + 1) * q8.block_bytes], &kHalfNaN, 2);
    try {
        require_finite(d, data.data(), 10 * row_bytes, data.size());  // rows 10..13 of the tensor
        FAIL() << "a NaN scale was accepted";
    } catch (const LlamaError& e) {
        EXPECT_EQ(e.code(), VEIL_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(std::string(e.what()),
                  "tensor 'blk.7.ffn_up.weight' (q8_0): row 12, block 1 (elements 32..63): its scale d is NaN; weights "
                  "must be finite, so the model file is corrupt");
    }

    d.type = 9999;  // a type the index refuses by itself
    EXPECT_NO_THROW(require_finite(d, data.data(), 0, data.size()));
}

}  // namespace
}  // namespace veil::engine
