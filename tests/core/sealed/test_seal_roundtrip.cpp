// Seal -> unseal reproduces the original GGUF byte for byte; the header records what it should.
#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "sealed/seal_error.h"
#include "sealed/sealed_file.h"
#include "sealed_test_util.h"
#include "util/sha256.h"

namespace veil {
namespace {

void round_trip(const std::string& rel, uint32_t chunk_size) {
    test::TempDir dir;
    SealKey key = test::test_key();
    std::string sealed = test::seal_test_model(dir, rel, "m.veil", chunk_size, key);
    std::string out = dir.file("m.gguf");
    unseal_model(sealed, out, key, false);
    auto original = test::read_all(test::testdata(rel));
    auto restored = test::read_all(out);
    ASSERT_EQ(restored.size(), original.size());
    EXPECT_TRUE(restored == original) << rel << " differs after seal/unseal";

    auto sealed_bytes = test::read_all(sealed);
    SealHeader h = test::header_of(sealed);
    auto gguf = GgufFile::open(test::testdata(rel));
    EXPECT_EQ(h.chunk_size, chunk_size);
    EXPECT_EQ(h.plaintext_size, original.size());
    EXPECT_EQ(h.gguf_header_len, gguf->data_offset());
    EXPECT_EQ(h.n_chunks, (original.size() - gguf->data_offset() + chunk_size - 1) / chunk_size);
    EXPECT_EQ(to_hex(h.plaintext_sha256.data(), 32), sha256_hex(original.data(), original.size()));
    EXPECT_EQ(h.key_id, key.id());
    EXPECT_EQ(sealed_bytes.size(), h.sealed_file_size());
    // The metadata region is stored as is; the data section is not.
    EXPECT_TRUE(std::equal(original.begin(), original.begin() + static_cast<long>(h.gguf_header_len),
                           sealed_bytes.begin() + kSealHeaderBytes));
    const uint8_t* first_chunk = sealed_bytes.data() + h.chunk_file_offset(0);
    EXPECT_NE(0, std::memcmp(first_chunk, original.data() + h.gguf_header_len, 64)) << "data section stored in clear";
}

TEST(SealRoundTrip, Stories260KSmallChunks) { round_trip("models/stories260K.gguf", 4096); }
TEST(SealRoundTrip, Stories260KDefaultChunks) { round_trip("models/stories260K.gguf", kDefaultChunkSize); }
TEST(SealRoundTrip, SynthQ4KMOddChunkSize) { round_trip("models/synth-d256-Q4_K_M.gguf", 65537); }

TEST(SealRoundTrip, VerifyAcceptsAnIntactFile) {
    test::TempDir dir;
    SealKey key = test::test_key();
    std::string sealed = test::seal_test_model(dir, "models/stories260K.gguf", "m.veil", 8192, key);
    VerifyResult r = verify_sealed(sealed, key);
    EXPECT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.chunks_checked, r.header.n_chunks);
    EXPECT_NE(r.message.find("OK"), std::string::npos);
}

TEST(SealRoundTrip, SealingTwiceGivesDifferentCiphertext) {
    // A fresh salt per file: same model, same key, unrelated chunk keys.
    test::TempDir dir;
    SealKey key = test::test_key();
    auto a = test::read_all(test::seal_test_model(dir, "models/stories260K.gguf", "a.veil", 4096, key));
    auto b = test::read_all(test::seal_test_model(dir, "models/stories260K.gguf", "b.veil", 4096, key));
    ASSERT_EQ(a.size(), b.size());
    EXPECT_FALSE(a == b);
}

TEST(SealRoundTrip, RefusesToOverwriteAndLeavesNoTempFiles) {
    test::TempDir dir;
    SealKey key = test::test_key();
    std::string sealed = test::seal_test_model(dir, "models/stories260K.gguf", "m.veil", 4096, key);
    auto before = test::read_all(sealed);
    SealOptions o;
    o.chunk_size = 4096;
    EXPECT_THROW(seal_model(test::testdata("models/stories260K.gguf"), sealed, key, o), SealError);
    EXPECT_TRUE(test::read_all(sealed) == before);
    o.overwrite = true;
    seal_model(test::testdata("models/stories260K.gguf"), sealed, key, o);
    // A failing unseal (wrong key) leaves neither output nor temporary file.
    EXPECT_THROW(unseal_model(sealed, dir.file("out.gguf"), test::other_key(), false), SealError);
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(sealed).parent_path())) {
        (void)e;
        ++n;
    }
    EXPECT_EQ(n, 1u) << "only m.veil should remain";
}

TEST(SealRoundTrip, RefusesBadChunkSizesAndNonGguf) {
    test::TempDir dir;
    SealKey key = test::test_key();
    SealOptions o;
    o.chunk_size = 100;
    EXPECT_THROW(seal_model(test::testdata("models/stories260K.gguf"), dir.file("x.veil"), key, o), SealError);
    std::string junk = dir.write("junk.gguf", std::vector<uint8_t>(100, 7));
    o.chunk_size = 4096;
    EXPECT_THROW(seal_model(junk, dir.file("y.veil"), key, o), std::runtime_error);
    EXPECT_FALSE(std::filesystem::exists(dir.file("y.veil")));
}

}  // namespace
}  // namespace veil
