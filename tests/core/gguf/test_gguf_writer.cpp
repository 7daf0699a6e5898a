// GgufWriter output reads back identically through GgufFile; misuse and hostile declarations are refused.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

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
    EXPECT_EQ(w.add_tensor("a", VEIL_TYPE_F32, {32, 3}), a.size() * 4);
    EXPECT_EQ(w.add_tensor("q8", VEIL_TYPE_Q8_0, {64, 2}), q8.size());
    EXPECT_EQ(w.add_tensor("q4k", VEIL_TYPE_Q4_K, {256}), q4k.size());
    EXPECT_THROW(w.add_tensor("bad", VEIL_TYPE_Q8_0, {33}), GgufError);  // not whole blocks
    EXPECT_THROW(w.add_tensor("a", VEIL_TYPE_F32, {1}), GgufError);      // duplicate name

    test::TempDir dir;
    std::string path = dir.file("rt.gguf");
    w.begin(path);
    EXPECT_THROW(w.set_u32("late", 1), GgufError);
    EXPECT_THROW(w.add_tensor("late", VEIL_TYPE_F32, {1}), GgufError);
    // Tensor data in pieces of any size, as a streaming producer hands it over.
    w.write_tensor_data(a.data(), 100);
    w.write_tensor_data(reinterpret_cast<const uint8_t*>(a.data()) + 100, a.size() * 4 - 100);
    w.write_tensor_data(q8.data(), q8.size());
    EXPECT_THROW(w.write_tensor_data(q4k.data(), q4k.size() + 1), GgufError);  // runs past the tensor
    w.write_tensor_data(q4k.data(), q4k.size());
    EXPECT_THROW(w.write_tensor_data(q4k.data(), 1), GgufError);  // beyond the last tensor
    w.finish();
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

// Copying a real model key by key and tensor by tensor reproduces it byte for byte.
TEST(GgufWriter, CopiesARealModel) {
    auto src = GgufFile::open(test::testdata("models/stories260K.gguf"));
    GgufWriter w;
    for (const auto& kv : src->metadata()) w.set_value(std::string(kv.key), kv.value);
    for (const auto& t : src->tensors())
        EXPECT_EQ(w.add_tensor(std::string(t.name), t.type, std::vector<uint64_t>(t.dims, t.dims + t.n_dims)), t.n_bytes);
    test::TempDir dir;
    std::string path = dir.file("copy.gguf");
    w.begin(path);
    for (const auto& t : src->tensors()) w.write_tensor_data(src->tensor_data(t), t.n_bytes);
    w.finish();
    auto copy = GgufFile::open(path);
    ASSERT_EQ(copy->metadata().size(), src->metadata().size());
    EXPECT_EQ(copy->data_offset(), src->data_offset());
    // Byte-identical: llama.cpp lays out files the same way (v3, tensors in order, aligned).
    EXPECT_TRUE(test::read_all(path) == test::read_all(test::testdata("models/stories260K.gguf")));
    EXPECT_EQ(copy->get_string_array("tokenizer.ggml.tokens"), src->get_string_array("tokenizer.ggml.tokens"));
}

TEST(GgufWriter, EmptyFileRoundTrips) {
    GgufWriter w;
    auto bytes = w.header_bytes();
    auto f = GgufFile::parse(bytes.data(), bytes.size(), "empty.gguf");
    EXPECT_TRUE(f->metadata().empty());
    EXPECT_TRUE(f->tensors().empty());
}

// Nothing appears under the final name unless every tensor was written, and an existing file
// is only replaced when asked.
TEST(GgufWriter, IncompleteOrExistingOutputIsRefused) {
    test::TempDir dir;
    std::string path = dir.file("out.gguf");
    {
        GgufWriter w;
        w.add_tensor("t", VEIL_TYPE_F32, {8});
        w.begin(path);
        float half[4] = {};
        w.write_tensor_data(half, sizeof half);
        EXPECT_THROW(w.finish(), GgufError);
    }
    const auto folder = std::filesystem::path(path).parent_path();
    EXPECT_TRUE(std::filesystem::is_empty(folder)) << "the temporary file was left behind";

    dir.write("out.gguf", {1, 2, 3});
    GgufWriter w;
    EXPECT_THROW(w.begin(path), GgufError);
    GgufWriter w2;
    w2.set_string("general.name", "x");
    w2.begin(path, /*overwrite=*/true);
    w2.finish();
    EXPECT_EQ(GgufFile::open(path)->get_string("general.name"), "x");
}

// Shapes and values that would produce an unreadable or misleading file are refused up front.
TEST(GgufWriter, HostileDeclarationsAreRefused) {
    GgufWriter w;
    EXPECT_THROW(w.add_tensor("t", 999, {32}), GgufError);                          // unknown type
    EXPECT_THROW(w.add_tensor("t", VEIL_TYPE_F32, {}), GgufError);                  // no dims
    EXPECT_THROW(w.add_tensor("t", VEIL_TYPE_F32, {1, 1, 1, 1, 1}), GgufError);     // 5 dims
    EXPECT_THROW(w.add_tensor("t", VEIL_TYPE_F32, {1ull << 62, 1ull << 4}), GgufError);  // overflow
    EXPECT_THROW(w.add_tensor("t", VEIL_TYPE_Q4_K, {128}), GgufError);              // half a super-block
    EXPECT_THROW(w.set_alignment(48), GgufError);
    EXPECT_THROW(w.set_alignment(0), GgufError);
    EXPECT_THROW(w.write_tensor_data("x", 1), GgufError);  // before begin()
    EXPECT_THROW(w.finish(), GgufError);
}

// Every tensor starts on the alignment boundary, whatever the sizes before it.
TEST(GgufWriter, OffsetsFollowAlignment) {
    for (uint32_t align : {1u, 32u, 256u}) {
        GgufWriter w;
        if (align != 32) w.set_alignment(align);
        w.add_tensor("a", VEIL_TYPE_F16, {3});
        w.add_tensor("b", VEIL_TYPE_Q8_0, {32});
        w.add_tensor("c", VEIL_TYPE_F32, {5});
        test::TempDir dir;
        std::string path = dir.file("al.gguf");
        w.begin(path);
        const uint8_t bytes[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        w.write_tensor_data(bytes, 6);
        w.write_tensor_data(bytes, 34);
        w.write_tensor_data(bytes, 20);
        w.finish();
        auto f = GgufFile::open(path);
        EXPECT_EQ(f->alignment(), align);
        for (const auto& t : f->tensors()) {
            EXPECT_EQ((f->data_offset() + t.offset) % align, 0u) << t.name << " align " << align;
            EXPECT_EQ(std::memcmp(f->tensor_data(t), bytes, t.n_bytes), 0) << t.name;
        }
    }
}

}  // namespace
}  // namespace veil
