// SealedModelSource: the same C view as a plain GGUF file, with reads decrypted chunk by chunk.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "gguf/gguf_file.h"
#include "sealed/seal_error.h"
#include "sealed_test_util.h"

namespace veil {
namespace {

struct Fixture {
    test::TempDir dir;
    std::unique_ptr<GgufFile> plain;
    std::unique_ptr<SealedModelSource> src;
    Fixture(const std::string& rel, uint32_t chunk_size) {
        plain = GgufFile::open(test::testdata(rel));
        SealKey key = test::test_key();
        std::string path = test::seal_test_model(dir, rel, "model.veil", chunk_size, key);
        src = SealedModelSource::open(path, key, test::host_errors());
    }
    // Reads through the C ABI; returns the error message ("" on success).
    std::string read(size_t t, uint64_t off, void* dst, size_t size, uint32_t flags = 0) const {
        const veil_model_source* a = src->abi();
        ErrorPtr err(a->read(a->ctx, t, off, dst, size, flags));
        return err ? err->message : "";
    }
};

TEST(SealedSource, TableAndMetadataMatchThePlainFile) {
    Fixture f("models/stories260K.gguf", 4096);
    const veil_model_source* a = f.src->abi();
    EXPECT_EQ(a->struct_size, sizeof(veil_model_source));
    EXPECT_STREQ(a->model_id, "model");
    EXPECT_EQ(a->map, nullptr) << "sealed models never offer map";
    ASSERT_EQ(a->n_tensors, f.plain->tensors().size());
    for (size_t k = 0; k < a->n_tensors; ++k) {
        const auto& t = f.plain->tensors()[k];
        EXPECT_EQ(std::string_view(a->tensors[k].name), t.name);
        EXPECT_EQ(a->tensors[k].type, t.type);
        EXPECT_EQ(a->tensors[k].n_bytes, t.n_bytes);
        EXPECT_EQ(a->tensors[k].offset, t.offset);
    }
    veil_meta_value v;
    a->meta_get(a->ctx, "llama.block_count", &v);
    EXPECT_EQ(v.kind, VEIL_META_UINT);
    EXPECT_EQ(v.u, f.plain->get_u64("llama.block_count"));
    a->meta_get(a->ctx, "general.architecture", &v);
    ASSERT_EQ(v.kind, VEIL_META_STRING);
    EXPECT_STREQ(v.str, "llama");
    a->meta_get(a->ctx, "tokenizer.ggml.tokens", &v);
    EXPECT_EQ(v.kind, VEIL_META_ARRAY);
    EXPECT_EQ(v.array_elem_kind, VEIL_META_STRING);
    a->meta_get(a->ctx, "no.such.key", &v);
    EXPECT_EQ(v.kind, VEIL_META_NONE);
}

void every_tensor_identical(const std::string& rel, uint32_t chunk_size) {
    Fixture f(rel, chunk_size);
    const auto& tensors = f.plain->tensors();
    for (size_t k = 0; k < tensors.size(); ++k) {
        std::vector<uint8_t> got(tensors[k].n_bytes, 0xAA);
        ASSERT_EQ(f.read(k, 0, got.data(), got.size()), "");
        EXPECT_EQ(0, std::memcmp(got.data(), f.plain->tensor_data(tensors[k]), got.size())) << tensors[k].name;
    }
}

TEST(SealedSource, EveryTensorIdenticalStories) { every_tensor_identical("models/stories260K.gguf", 4096); }
TEST(SealedSource, EveryTensorIdenticalQ4KM) { every_tensor_identical("models/synth-d256-Q4_K_M.gguf", 10000); }

TEST(SealedSource, RandomRangesAcrossChunkBoundaries) {
    Fixture f("models/synth-d256-Q4_K_M.gguf", 4096);
    const auto& tensors = f.plain->tensors();
    std::mt19937_64 rng(1234);
    int crossing = 0;
    for (int n = 0; n < 600; ++n) {
        size_t t = rng() % tensors.size();
        uint64_t bytes = tensors[t].n_bytes;
        uint64_t off = rng() % bytes;
        // Mix tiny, chunk-sized and multi-chunk reads.
        uint64_t max_len = bytes - off;
        uint64_t len = 1 + rng() % std::min<uint64_t>(max_len, (n % 3 == 0) ? 64 : (n % 3 == 1) ? 5000 : 20000);
        uint64_t abs = tensors[t].offset + off;
        if (abs / 4096 != (abs + len - 1) / 4096) ++crossing;
        std::vector<uint8_t> got(len);
        ASSERT_EQ(f.read(t, off, got.data(), len), "");
        ASSERT_EQ(0, std::memcmp(got.data(), f.plain->tensor_data(tensors[t]) + off, len))
            << tensors[t].name << " [" << off << ", +" << len << ")";
    }
    EXPECT_GT(crossing, 100) << "the test should exercise reads spanning chunks";
}

TEST(SealedSource, ReadingOneTensorDecryptsOnlyItsChunks) {
    Fixture f("models/stories260K.gguf", 4096);
    const SealHeader& h = f.src->sealed().header();
    ASSERT_GT(h.n_chunks, 100u);
    EXPECT_EQ(f.src->stats().chunks_decrypted, 0u) << "opening must not decrypt";
    // A small tensor: the norm weights of layer 0.
    const auto* t = f.plain->find_tensor("blk.0.attn_norm.weight");
    ASSERT_NE(t, nullptr);
    size_t idx = static_cast<size_t>(t - f.plain->tensors().data());
    std::vector<uint8_t> got(t->n_bytes);
    ASSERT_EQ(f.read(idx, 0, got.data(), got.size()), "");
    const uint64_t expected = (t->offset + t->n_bytes - 1) / 4096 - t->offset / 4096 + 1;
    EXPECT_EQ(f.src->stats().chunks_decrypted, expected);
    EXPECT_LT(f.src->stats().chunks_decrypted, h.n_chunks);
    // And a 1-byte read decrypts exactly one chunk.
    uint8_t b;
    ASSERT_EQ(f.read(idx, 3, &b, 1), "");
    EXPECT_EQ(f.src->stats().chunks_decrypted, expected + 1);
    EXPECT_EQ(f.src->stats().reads, 2u);
}

TEST(SealedSource, ReadsOutsideATensorAreRefused) {
    Fixture f("models/stories260K.gguf", 4096);
    const auto& t = f.plain->tensors()[0];
    std::vector<uint8_t> buf(t.n_bytes + 1);
    EXPECT_NE(f.read(0, 0, buf.data(), t.n_bytes + 1).find("outside"), std::string::npos);
    EXPECT_NE(f.read(0, t.n_bytes, buf.data(), 1).find("outside"), std::string::npos);
    EXPECT_NE(f.read(9999, 0, buf.data(), 1).find("tensors"), std::string::npos);
    EXPECT_EQ(f.read(0, t.n_bytes, buf.data(), 0), "");
    EXPECT_NE(f.read(0, 0, nullptr, 4), "");
    EXPECT_EQ(f.read(0, 0, buf.data(), 8, VEIL_READ_NOCACHE), "");
}

TEST(SealedSource, ConcurrentReadsAgree) {
    Fixture f("models/synth-d256-Q4_K_M.gguf", 4096);
    const auto& tensors = f.plain->tensors();
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < 4; ++th)
        threads.emplace_back([&, th] {
            std::mt19937 rng(static_cast<unsigned>(th));
            for (int n = 0; n < 100; ++n) {
                size_t t = rng() % tensors.size();
                std::vector<uint8_t> got(tensors[t].n_bytes);
                if (!f.read(t, 0, got.data(), got.size()).empty() ||
                    std::memcmp(got.data(), f.plain->tensor_data(tensors[t]), got.size()) != 0)
                    ++bad;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(bad.load(), 0);
}

TEST(SealedSource, TamperedChunkFailsTheReadNamingTheChunkAndWipesTheBuffer) {
    test::TempDir dir;
    SealKey key = test::test_key();
    std::string path = test::seal_test_model(dir, "models/stories260K.gguf", "model.veil", 4096, key);
    SealHeader h = test::header_of(path);
    auto bytes = test::read_all(path);
    bytes[h.chunk_file_offset(17) + 100] ^= 1;
    test::write_all_bytes(path, bytes);
    auto src = SealedModelSource::open(path, key, test::host_errors());  // header intact: opens
    const veil_model_source* a = src->abi();
    // Find a tensor covering data chunks 16..18.
    for (size_t k = 0; k < a->n_tensors; ++k) {
        const auto& d = a->tensors[k];
        if (d.offset > 16 * 4096 || d.offset + d.n_bytes < 19 * 4096) continue;
        std::vector<uint8_t> buf(d.n_bytes, 0xAA);
        ErrorPtr err(a->read(a->ctx, k, 0, buf.data(), buf.size(), 0));
        ASSERT_TRUE(err);
        EXPECT_EQ(err->code, VEIL_ERR_VERIFICATION);
        EXPECT_NE(err->message.find("chunk 17 of " + path + " failed authentication (tampered, swapped or wrong key)"),
                  std::string::npos)
            << err->message;
        EXPECT_TRUE(std::all_of(buf.begin(), buf.end(), [](uint8_t b) { return b == 0; }))
            << "plaintext of a failed read must not be left behind";
        return;
    }
    FAIL() << "no tensor spans chunk 17";
}

}  // namespace
}  // namespace veil
