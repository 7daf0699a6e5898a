// GgufWriter output reads back identically through GgufFile.
#include <gtest/gtest.h>

#include <cstring>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf_test_util.h"
#include "veil/backend.h"

namespace veil {
namespace {

TEST(GgufWriter, RoundTripAllValueTypesAndTensors) {
    GgufWriter w;
    w.set_alignment(64);
    w.set_u8("u8", 200);
    w.set_i8("i8", -5);
    w.set_u16("u16", 60000);
    w.set_i16("i16", -30000);
    w.set_u32("u32", 4000000000u);
    w.set_i32("i32", -2000000000);
    w.set_u64("u64", 1ull << 60);
    w.set_i64("i64", -(1ll << 60));
    w.set_f32("f32", 1.5f);
    w.set_f64("f64", -2.25);
    w.set_bool("yes", true);
    w.set_string("s", std::string("with\0nul", 8));
    w.set_string_array("strs", {"a", "", "ccc"});
    w.set_f32_array("floats", {0.5f, -1.0f});
    w.set_i32_array("ints", {1, -2, 3});
    w.set_u32("u32", 7);  // replaces

    std::vector<float> a(32 * 3);
    for (size_t k = 0; k < a.size(); ++k) a[k] = static_cast<float>(k) * 0.25f;
    std::vector<uint8_t> q8(34 * 2 * 2, 0xAB);  // Q8_0 64×2
    std::vector<uint8_t> q4k(144, 0x5C);        // Q4_K 256
    w.add_tensor("a", VEIL_TYPE_F32, {32, 3}, a.data(), a.size() * 4);
    w.add_tensor("q8", VEIL_TYPE_Q8_0, {64, 2}, q8.data(), q8.size());
    w.add_tensor("q4k", VEIL_TYPE_Q4_K, {256}, q4k.data(), q4k.size());
    EXPECT_THROW(w.add_tensor("bad", VEIL_TYPE_Q8_0, {33}, q8.data(), 34), GgufError);
    EXPECT_THROW(w.add_tensor("a", VEIL_TYPE_F32, {1}, a.data(), 4), GgufError);
    EXPECT_THROW(w.add_tensor("size", VEIL_TYPE_F32, {2}, a.data(), 4), GgufError);

    test::TempDir dir;
    std::string path = dir.file("rt.gguf");
    w.write(path);
    auto f = GgufFile::open(path);
    EXPECT_EQ(f->version(), 3u);
    EXPECT_EQ(f->alignment(), 64u);
    EXPECT_EQ(f->data_offset() % 64, 0u);
    EXPECT_EQ(f->get_u32("u8"), 200u);
    EXPECT_EQ(f->get_i64("i8"), -5);
    EXPECT_EQ(f->get_u32("u16"), 60000u);
    EXPECT_EQ(f->get_i64("i16"), -30000);
    EXPECT_EQ(f->get_u32("u32"), 7u);
    EXPECT_EQ(f->get_i64("i32"), -2000000000);
    EXPECT_EQ(f->get_u64("u64"), 1ull << 60);
    EXPECT_THROW(f->get_u32("u64"), GgufError);  // does not fit
    EXPECT_THROW(f->get_u64("i8"), GgufError);   // negative
    EXPECT_EQ(f->get_i64("i64"), -(1ll << 60));
    EXPECT_FLOAT_EQ(f->get_f32("f32"), 1.5f);
    EXPECT_FLOAT_EQ(f->get_f32("f64"), -2.25f);
    EXPECT_TRUE(f->get_bool("yes"));
    EXPECT_EQ(f->get_string("s"), std::string_view("with\0nul", 8));
    EXPECT_EQ(f->get_string_array("strs"), (std::vector<std::string_view>{"a", "", "ccc"}));
    EXPECT_EQ(f->get_f32_array("floats"), (std::vector<float>{0.5f, -1.0f}));
    EXPECT_EQ(f->get_int_array("ints"), (std::vector<int64_t>{1, -2, 3}));
    EXPECT_EQ(f->metadata().front().key, "general.alignment");

    ASSERT_EQ(f->tensors().size(), 3u);
    const auto* ta = f->find_tensor("a");
    ASSERT_NE(ta, nullptr);
    EXPECT_EQ(ta->dims[0], 32u);
    EXPECT_EQ(ta->dims[1], 3u);
    EXPECT_EQ(std::memcmp(f->tensor_data(*ta), a.data(), a.size() * 4), 0);
    const auto* tq = f->find_tensor("q8");
    EXPECT_EQ(tq->offset % 64, 0u);
    EXPECT_EQ(tq->n_bytes, q8.size());
    EXPECT_EQ(std::memcmp(f->tensor_data(*tq), q8.data(), q8.size()), 0);
    const auto* tk = f->find_tensor("q4k");
    EXPECT_EQ(tk->type, uint32_t{VEIL_TYPE_Q4_K});
    EXPECT_EQ(std::memcmp(f->tensor_data(*tk), q4k.data(), q4k.size()), 0);
}

// Copying a real model key by key and tensor by tensor reproduces its metadata and data.
TEST(GgufWriter, CopiesARealModel) {
    auto src = GgufFile::open(test::testdata("models/stories260K.gguf"));
    GgufWriter w;
    for (const auto& kv : src->metadata()) w.set_value(std::string(kv.key), kv.value);
    for (const auto& t : src->tensors())
        w.add_tensor(std::string(t.name), t.type, std::vector<uint64_t>(t.dims, t.dims + t.n_dims), src->tensor_data(t), t.n_bytes);
    auto bytes = w.to_bytes();
    auto copy = GgufFile::parse(bytes.data(), bytes.size(), "copy.gguf");
    ASSERT_EQ(copy->metadata().size(), src->metadata().size());
    EXPECT_EQ(copy->data_offset(), src->data_offset());
    // Byte-identical: llama.cpp lays out files the same way (v3, tensors in order, aligned).
    auto orig = test::read_all(test::testdata("models/stories260K.gguf"));
    EXPECT_EQ(bytes.size(), orig.size());
    EXPECT_TRUE(bytes == orig);
    EXPECT_EQ(copy->get_string_array("tokenizer.ggml.tokens"), src->get_string_array("tokenizer.ggml.tokens"));
}

TEST(GgufWriter, EmptyFileRoundTrips) {
    GgufWriter w;
    auto bytes = w.to_bytes();
    auto f = GgufFile::parse(bytes.data(), bytes.size(), "empty.gguf");
    EXPECT_TRUE(f->metadata().empty());
    EXPECT_TRUE(f->tensors().empty());
}

}  // namespace
}  // namespace veil
