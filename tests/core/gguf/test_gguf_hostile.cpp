// Hostile and damaged GGUF files: each must give a GgufError naming the file, the field and the
// byte offset — never a crash, an out-of-bounds read or a huge allocation.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "gguf/gguf_file.h"
#include "gguf_test_util.h"

namespace veil {
namespace {

using test::Bytes;

// Writes `bytes` to a file and expects open() to fail with a message containing the file name,
// `field`, "at byte <at>" and `what`.
void expect_error(const Bytes& bytes, const std::string& field, uint64_t at, const std::string& what) {
    test::TempDir dir;
    std::string path = dir.write("hostile.gguf", bytes.b);
    try {
        GgufFile::open(path);
        ADD_FAILURE() << "no error; expected " << field << " / " << what;
    } catch (const GgufError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find(path + ": "), std::string::npos) << msg;
        EXPECT_NE(msg.find(field), std::string::npos) << "field '" << field << "' not in: " << msg;
        EXPECT_NE(msg.find("at byte " + std::to_string(at) + ":"), std::string::npos) << "offset " << at << " not in: " << msg;
        EXPECT_NE(msg.find(what), std::string::npos) << "'" << what << "' not in: " << msg;
    }
}

// A valid file with one key and one F32 tensor of `n` floats at data offset 0.
Bytes one_tensor_file(uint64_t ne0, uint32_t type = 0, uint64_t offset = 0, size_t data_bytes = 64) {
    Bytes b = Bytes::header(1, 1);
    b.str("general.architecture").u32(8).str("llama");
    b.str("t").u32(1).u64(ne0).u32(type).u64(offset);
    b.pad_to(32).zeros(data_bytes);
    return b;
}

TEST(GgufHostile, ValidBaselineParses) {
    test::TempDir dir;
    auto f = GgufFile::open(dir.write("ok.gguf", one_tensor_file(16).b));
    ASSERT_EQ(f->tensors().size(), 1u);
    EXPECT_EQ(f->tensors()[0].n_bytes, 64u);
    EXPECT_EQ(f->data_offset() % 32, 0u);
}

TEST(GgufHostile, BadMagic) {
    Bytes b = one_tensor_file(16);
    b.b[0] = 'X';
    expect_error(b, "magic", 0, "not a GGUF file");
}

TEST(GgufHostile, EmptyAndTinyFiles) {
    expect_error(Bytes{}, "magic", 0, "remain");
    Bytes b;
    b.b = {'G', 'G', 'U', 'F', 3, 0};
    expect_error(b, "version", 4, "remain");
}

TEST(GgufHostile, UnsupportedVersions) {
    expect_error(Bytes::header(0, 0, 1), "version", 4, "GGUF v1 is not supported");
    expect_error(Bytes::header(0, 0, 4), "version", 4, "unsupported GGUF version 4");
    expect_error(Bytes::header(0, 0, 0xFFFFFFFF), "version", 4, "unsupported GGUF version");
}

TEST(GgufHostile, HugeCounts) {
    expect_error(Bytes::header(1ull << 60, 0).zeros(64), "n_tensors", 8, "cannot fit");
    expect_error(Bytes::header(0, ~0ull).zeros(64), "n_kv", 16, "cannot fit");
    expect_error(Bytes::header(3, 3).zeros(100), "n_kv", 16, "cannot fit");
}

TEST(GgufHostile, HugeStringLength) {
    Bytes b = Bytes::header(0, 1);
    b.u64(1ull << 62).zeros(40);  // key length
    expect_error(b, "metadata key #0", 24, "string length 4611686018427387904 exceeds");
    Bytes v = Bytes::header(0, 1);
    v.str("k").u32(8).u64(~0ull).zeros(16);  // string value length
    expect_error(v, "key 'k'", 24 + 9 + 4, "string length");
}

TEST(GgufHostile, HugeArrayCount) {
    Bytes b = Bytes::header(0, 1);
    b.str("arr").u32(9).u32(4).u64(1ull << 61).zeros(64);  // uint32 array
    expect_error(b, "key 'arr'", 24 + 11 + 4 + 4, "array of 2305843009213693952 uint32 exceeds");
    Bytes s = Bytes::header(0, 1);
    s.str("arr").u32(9).u32(8).u64(1ull << 40).zeros(64);  // string array
    expect_error(s, "key 'arr'", 24 + 11 + 4 + 4, "array length 1099511627776 is impossible");
    // Each nested level is cheap to encode; the depth limit stops recursion.
    Bytes n = Bytes::header(0, 1);
    n.str("nest").u32(9);
    for (int k = 0; k < 20; ++k) n.u32(9).u64(1);
    n.u32(0).u64(0).zeros(8);
    expect_error(n, "key 'nest' element 0", 24 + 12 + 4 + 8 * 12, "nested deeper");  // the 9th level
}

TEST(GgufHostile, BadValueTypes) {
    Bytes b = Bytes::header(0, 1);
    b.str("k").u32(99).zeros(16);
    expect_error(b, "key 'k'", 24 + 9, "unknown value type 99");
    Bytes a = Bytes::header(0, 1);
    a.str("k").u32(9).u32(13).u64(0).zeros(8);
    expect_error(a, "key 'k'", 24 + 9 + 4, "unknown array element type 13");
    Bytes bo = Bytes::header(0, 1);
    bo.str("k").u32(7).put<uint8_t>(2).zeros(16);
    expect_error(bo, "key 'k'", 24 + 9 + 4, "neither 0 nor 1");
}

TEST(GgufHostile, DuplicateKeyAndEmptyKey) {
    Bytes b = Bytes::header(0, 2);
    b.str("k").u32(4).u32(1).str("k").u32(4).u32(2).zeros(8);
    expect_error(b, "key 'k'", 24 + 9 + 8, "duplicate key");
    Bytes e = Bytes::header(0, 1);
    e.str("").u32(4).u32(1).zeros(8);
    expect_error(e, "metadata key #0", 24, "empty key");
}

TEST(GgufHostile, BadAlignment) {
    Bytes b = Bytes::header(0, 1);
    b.str("general.alignment").u32(4).u32(48).zeros(8);
    expect_error(b, "key 'general.alignment'", 24 + 25 + 4, "power of two");
    Bytes z = Bytes::header(0, 1);
    z.str("general.alignment").u32(4).u32(0).zeros(8);
    expect_error(z, "key 'general.alignment'", 24 + 25 + 4, "power of two");
    Bytes s = Bytes::header(0, 1);
    s.str("general.alignment").u32(8).str("32").zeros(8);
    expect_error(s, "key 'general.alignment'", 24 + 25 + 4, "power of two");
}

// Tensor directory entry of one_tensor_file starts after the header and the one kv.
constexpr uint64_t kInfoAt = 24 + (8 + 20) + 4 + (8 + 5);

TEST(GgufHostile, TensorTypeAndDims) {
    expect_error(one_tensor_file(16, 77), "tensor 't'", kInfoAt + 9 + 4 + 8, "unknown or unsupported tensor type 77");
    expect_error(one_tensor_file(16, 4), "tensor 't'", kInfoAt + 9 + 4 + 8, "tensor type 4");  // Q4_2: removed from ggml
    expect_error(one_tensor_file(48, 2, 0, 64), "tensor 't'", kInfoAt, "not a multiple of the q4_0 block size 32");
    Bytes b = Bytes::header(1, 0);
    b.str("t").u32(0).zeros(64);
    expect_error(b, "tensor 't'", 24 + 9, "n_dims 0 is outside 1..4");
    Bytes b5 = Bytes::header(1, 0);
    b5.str("t").u32(5).zeros(64);
    expect_error(b5, "tensor 't'", 24 + 9, "n_dims 5");
    Bytes neg = Bytes::header(1, 0);
    neg.str("t").u32(1).u64(~0ull).u32(0).u64(0).zeros(64);
    expect_error(neg, "tensor 't'", 24 + 9 + 4, "negative");
}

TEST(GgufHostile, DimsProductOverflow) {
    Bytes b = Bytes::header(1, 0);
    b.str("x").u32(3).u64(1ull << 32).u64(1ull << 32).u64(4).u32(0).u64(0).zeros(64);
    expect_error(b, "tensor 'x'", 24, "dims product overflows");
    // Elements fit, bytes do not (F32: 4 bytes each).
    Bytes c = Bytes::header(1, 0);
    c.str("x").u32(2).u64(1ull << 31).u64(1ull << 31).u32(0).u64(0).zeros(64);
    expect_error(c, "tensor 'x'", 24, "overflows");
}

TEST(GgufHostile, MisalignedOffsetAndDataPastEof) {
    expect_error(one_tensor_file(16, 0, 8), "tensor 't'", kInfoAt + 9 + 4 + 8 + 4, "not a multiple of the alignment 32");
    expect_error(one_tensor_file(32, 0, 0, 64), "tensor 't'", kInfoAt + 9 + 4 + 8 + 4, "runs past the end of the file");
    expect_error(one_tensor_file(16, 0, 1ull << 62), "tensor 't'", kInfoAt + 9 + 4 + 8 + 4, "runs past the end");
}

TEST(GgufHostile, DuplicateAndOverlappingTensors) {
    Bytes d = Bytes::header(2, 0);
    d.str("t").u32(1).u64(8).u32(0).u64(0);
    uint64_t second = d.pos();
    d.str("t").u32(1).u64(8).u32(0).u64(32).pad_to(32).zeros(64);
    expect_error(d, "tensor 't'", second, "duplicate tensor name");
    Bytes o = Bytes::header(2, 0);
    o.str("a").u32(1).u64(16).u32(0).u64(0);  // 64 bytes at 0
    uint64_t b_at = o.pos();
    o.str("b").u32(1).u64(8).u32(0).u64(32).pad_to(32).zeros(128);  // 32 bytes at 32: inside a
    expect_error(o, "tensor 'b'", b_at + 9 + 4 + 8 + 4, "overlaps tensor 'a'");
}

TEST(GgufHostile, TruncatedDirectory) {
    Bytes b = one_tensor_file(16);
    b.b.resize(kInfoAt + 9 + 4 + 3);  // inside dim 0
    expect_error(b, "tensor 't' dim 0", kInfoAt + 9 + 4, "needs 8 bytes but only 3 remain");
}

// Every prefix of a real model up to its data section is refused cleanly. Each prefix is copied
// into an allocation of exactly that size so that AddressSanitizer would catch any over-read.
TEST(GgufHostile, EveryPrefixOfStories260K) {
    auto bytes = test::read_all(test::testdata("models/stories260K.gguf"));
    auto full = GgufFile::parse(bytes.data(), bytes.size(), "stories260K.gguf");
    const uint64_t limit = full->data_offset() + 1;  // the first tensor starts at offset 0
    ASSERT_GT(limit, 1000u);
    size_t refused = 0;
    for (uint64_t len = 0; len < limit; ++len) {
        std::unique_ptr<uint8_t[]> copy(new uint8_t[len ? len : 1]);
        std::memcpy(copy.get(), bytes.data(), len);
        try {
            GgufFile::parse(copy.get(), len, "stories260K.gguf");
        } catch (const GgufError& e) {
            ++refused;
            if (std::string(e.what()).find("stories260K.gguf: ") != 0) ADD_FAILURE() << len << ": " << e.what();
        }
    }
    EXPECT_EQ(refused, limit);
    // And some truncations through the file path, up to the last byte.
    test::TempDir dir;
    for (uint64_t len : {uint64_t{0}, uint64_t{7}, uint64_t{25}, limit / 2, limit - 1, uint64_t(bytes.size() - 1)}) {
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(len));
        EXPECT_THROW(GgufFile::open(dir.write("cut.gguf", cut)), GgufError) << len;
    }
}

// Random byte flips in the directory must never crash (errors are fine, so is success).
TEST(GgufHostile, ByteFlipsInDirectory) {
    auto bytes = test::read_all(test::testdata("models/stories260K.gguf"));
    auto full = GgufFile::parse(bytes.data(), bytes.size(), "s.gguf");
    const uint64_t dir_end = full->data_offset();
    std::srand(12345);
    for (int k = 0; k < 3000; ++k) {
        size_t at[3];
        uint8_t mask[3];
        for (int f = 0; f < 3; ++f) {
            at[f] = static_cast<size_t>(std::rand()) % dir_end;
            mask[f] = static_cast<uint8_t>(1u << (std::rand() % 8));
            bytes[at[f]] ^= mask[f];
        }
        try {
            GgufFile::parse(bytes.data(), bytes.size(), "s.gguf");
        } catch (const GgufError&) {
        }
        for (int f = 2; f >= 0; --f) bytes[at[f]] ^= mask[f];
    }
}

}  // namespace
}  // namespace veil
