// The tamper matrix: every modification of a sealed file is refused, with a message that says
// what is wrong (header, which chunk, truncation, wrong key).
#include <gtest/gtest.h>

#include "sealed/seal_error.h"
#include "sealed/sealed_file.h"
#include "sealed_test_util.h"

namespace veil {
namespace {

constexpr uint32_t kChunk = 4096;

class SealTamper : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = test::seal_test_model(dir_, "models/stories260K.gguf", "model.veil", kChunk, key_);
        bytes_ = test::read_all(path_);
        h_ = test::header_of(path_);
        ASSERT_GT(h_.n_chunks, 20u);
    }
    void save() { test::write_all_bytes(path_, bytes_); }
    // Message of the failure when opening with the key, or "" when it opens.
    std::string open_error(const SealKey& key) {
        try {
            SealedFile::open(path_, key);
            return "";
        } catch (const SealError& e) {
            return e.what();
        }
    }
    // verify_sealed's verdict; expects a failure.
    std::string verify_error() {
        VerifyResult r = verify_sealed(path_, key_);
        EXPECT_FALSE(r.ok) << "tampered file verified: " << r.message;
        return r.message;
    }
    std::string unseal_error() {
        std::string out = dir_.file("out.gguf");
        try {
            unseal_model(path_, out, key_, false);
        } catch (const SealError& e) {
            EXPECT_FALSE(std::filesystem::exists(out)) << "a failed unseal left output behind";
            return e.what();
        }
        return "";
    }
    std::vector<uint8_t> chunk_bytes(uint64_t i) const {
        auto at = bytes_.begin() + static_cast<long>(h_.chunk_file_offset(i));
        return {at, at + static_cast<long>(h_.chunk_plain_len(i) + kGcmTagBytes)};
    }
    void put_chunk(uint64_t i, const std::vector<uint8_t>& c) {
        std::copy(c.begin(), c.end(), bytes_.begin() + static_cast<long>(h_.chunk_file_offset(i)));
    }
    std::string chunk_msg(uint64_t i) const {
        return "chunk " + std::to_string(i) + " of " + path_ + " failed authentication (tampered, swapped or wrong key)";
    }

    test::TempDir dir_;
    SealKey key_ = test::test_key();
    std::string path_;
    std::vector<uint8_t> bytes_;
    SealHeader h_;
};

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST_F(SealTamper, IntactFileOpens) { EXPECT_EQ(open_error(key_), ""); }

TEST_F(SealTamper, HeaderByte) {
    // Every authenticated header field: sizes, chunk size, flags, hash, salt, and the MAC itself.
    for (size_t off : {16u, 20u, 24u, 40u, 50u, 100u, 130u}) {
        auto saved = bytes_;
        bytes_[off] ^= 0x01;
        save();
        std::string e = open_error(key_);
        EXPECT_HAS(e, "header or GGUF metadata of " + path_ + " failed authentication") << " (byte " << off << ")";
        bytes_ = saved;
        save();
    }
}

TEST_F(SealTamper, MagicAndVersion) {
    bytes_[0] = 'X';
    save();
    EXPECT_HAS(open_error(key_), "not a sealed model");
    bytes_[0] = 'V';
    bytes_[8] = 9;
    save();
    EXPECT_HAS(open_error(key_), "unsupported sealed format version 9");
}

TEST_F(SealTamper, GgufMetadataByte) {
    // A byte inside the plaintext GGUF region (e.g. in the vocabulary).
    bytes_[kSealHeaderBytes + h_.gguf_header_len / 2] ^= 0x20;
    save();
    EXPECT_HAS(open_error(key_), "header or GGUF metadata of " + path_ + " failed authentication");
    EXPECT_HAS(verify_error(), "failed authentication");
    EXPECT_HAS(unseal_error(), "failed authentication");
}

TEST_F(SealTamper, ChunkByte) {
    bytes_[h_.chunk_file_offset(17) + 5] ^= 0x80;
    save();
    EXPECT_EQ(open_error(key_), "") << "chunks are checked when read, not at open";
    EXPECT_EQ(verify_error(), chunk_msg(17));
    EXPECT_EQ(unseal_error(), chunk_msg(17));
}

TEST_F(SealTamper, TagByte) {
    bytes_[h_.chunk_file_offset(5) + h_.chunk_plain_len(5) + 3] ^= 0x04;
    save();
    EXPECT_EQ(verify_error(), chunk_msg(5));
}

TEST_F(SealTamper, LastChunkByte) {
    uint64_t last = h_.n_chunks - 1;
    bytes_[h_.chunk_file_offset(last)] ^= 0x01;
    save();
    EXPECT_EQ(verify_error(), chunk_msg(last));
}

TEST_F(SealTamper, TwoChunksSwapped) {
    auto a = chunk_bytes(3), b = chunk_bytes(4);
    ASSERT_EQ(a.size(), b.size());
    put_chunk(3, b);
    put_chunk(4, a);
    save();
    EXPECT_EQ(verify_error(), chunk_msg(3));
}

TEST_F(SealTamper, LastChunkCut) {
    bytes_.resize(bytes_.size() - 10);
    save();
    EXPECT_HAS(open_error(key_), path_ + " is truncated");
    EXPECT_HAS(verify_error(), "is truncated");
    EXPECT_HAS(unseal_error(), "is truncated");
}

TEST_F(SealTamper, WholeLastChunkRemoved) {
    bytes_.resize(h_.chunk_file_offset(h_.n_chunks - 1));
    save();
    EXPECT_HAS(open_error(key_), path_ + " is truncated: its header declares " + std::to_string(h_.n_chunks) + " chunks");
}

TEST_F(SealTamper, MiddleChunkRemoved) {
    auto at = bytes_.begin() + static_cast<long>(h_.chunk_file_offset(7));
    bytes_.erase(at, at + kChunk + kGcmTagBytes);
    save();
    EXPECT_HAS(open_error(key_), "is truncated");
}

TEST_F(SealTamper, TrailingBytesAppended) {
    bytes_.push_back(0);
    save();
    EXPECT_HAS(open_error(key_), "after its last chunk");
}

TEST_F(SealTamper, CutInsideTheHeader) {
    bytes_.resize(100);
    save();
    EXPECT_HAS(open_error(key_), "truncated");
}

TEST_F(SealTamper, WrongKey) {
    std::string e = open_error(test::other_key());
    EXPECT_HAS(e, "wrong key");
    EXPECT_HAS(e, test::other_key().id_hex());
    VerifyResult r = verify_sealed(path_, test::other_key());
    EXPECT_FALSE(r.ok);
    EXPECT_HAS(r.message, "wrong key");
}

TEST_F(SealTamper, ChunkFromAnotherFileSealedWithTheSameKey) {
    // Same model, same key, same chunk index: only the per-file salt and header hash differ.
    std::string other = test::seal_test_model(dir_, "models/stories260K.gguf", "other.veil", kChunk, key_);
    auto other_bytes = test::read_all(other);
    auto at = other_bytes.begin() + static_cast<long>(h_.chunk_file_offset(7));
    put_chunk(7, {at, at + static_cast<long>(kChunk + kGcmTagBytes)});
    save();
    EXPECT_EQ(verify_error(), chunk_msg(7));
}

TEST_F(SealTamper, KeyIdByteReadsAsWrongKey) {
    bytes_[80] ^= 1;  // key_id: the header claims another key
    save();
    EXPECT_HAS(open_error(key_), "wrong key");
}

}  // namespace
}  // namespace veil
