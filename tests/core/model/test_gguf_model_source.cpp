// GgufModelSource: the C view a backend sees of a GGUF file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "../gguf/gguf_test_util.h"
#include "model/gguf_model_source.h"

namespace veil {
namespace {

// Records errors instead of creating host error objects; the returned pointer is an opaque token
// that the test only compares (veil_error is defined by the plugin host, not needed here).
struct ErrorLog {
    veil_error_code code{};
    std::string message;
    int count = 0;
    char token = 0;
    GgufModelSource::ErrorFactory factory() {
        return [this](veil_error_code c, const std::string& m) {
            code = c;
            message = m;
            ++count;
            return reinterpret_cast<veil_error*>(&token);
        };
    }
};

std::unique_ptr<GgufModelSource> open_stories(ErrorLog& log) {
    return GgufModelSource::open(test::testdata("models/stories260K.gguf"), log.factory());
}

TEST(ModelSource, TensorTable) {
    ErrorLog log;
    auto src = open_stories(log);
    const veil_model_source* a = src->abi();
    EXPECT_EQ(a->struct_size, sizeof(veil_model_source));
    EXPECT_STREQ(a->model_id, "stories260K");
    ASSERT_EQ(a->n_tensors, src->file().tensors().size());
    ASSERT_NE(a->tensors, nullptr);
    for (size_t k = 0; k < a->n_tensors; ++k) {
        const auto& t = src->file().tensors()[k];
        const auto& d = a->tensors[k];
        EXPECT_EQ(std::string_view(d.name), t.name);
        EXPECT_EQ(d.type, t.type);
        EXPECT_EQ(d.n_dims, t.n_dims);
        EXPECT_EQ(d.n_bytes, t.n_bytes);
        EXPECT_EQ(d.offset, t.offset);
        for (uint32_t j = d.n_dims; j < VEIL_MAX_DIMS; ++j) EXPECT_EQ(d.dims[j], 1u);
    }
}

TEST(ModelSource, MetaGet) {
    ErrorLog log;
    auto src = open_stories(log);
    const veil_model_source* a = src->abi();
    veil_meta_value v;
    a->meta_get(a->ctx, "llama.block_count", &v);
    EXPECT_EQ(v.kind, uint32_t{VEIL_META_UINT});
    EXPECT_EQ(v.u, 5u);
    a->meta_get(a->ctx, "general.architecture", &v);
    ASSERT_EQ(v.kind, uint32_t{VEIL_META_STRING});
    EXPECT_STREQ(v.str, "llama");
    EXPECT_EQ(v.str_len, 5u);
    a->meta_get(a->ctx, "llama.attention.layer_norm_rms_epsilon", &v);
    EXPECT_EQ(v.kind, uint32_t{VEIL_META_FLOAT});
    EXPECT_GT(v.f, 0.0);
    EXPECT_LT(v.f, 1e-3);
    a->meta_get(a->ctx, "tokenizer.ggml.tokens", &v);
    EXPECT_EQ(v.kind, uint32_t{VEIL_META_ARRAY});
    EXPECT_EQ(v.array_elem_kind, uint32_t{VEIL_META_STRING});
    EXPECT_EQ(v.array_len, 512u);
    a->meta_get(a->ctx, "tokenizer.ggml.scores", &v);
    EXPECT_EQ(v.array_elem_kind, uint32_t{VEIL_META_FLOAT});
    a->meta_get(a->ctx, "no.such.key", &v);
    EXPECT_EQ(v.kind, uint32_t{VEIL_META_NONE});
    // Every key of the file is visible with a kind.
    for (const auto& kv : src->file().metadata()) {
        a->meta_get(a->ctx, std::string(kv.key).c_str(), &v);
        EXPECT_NE(v.kind, uint32_t{VEIL_META_NONE}) << kv.key;
    }
}

TEST(ModelSource, ReadAndMap) {
    ErrorLog log;
    auto src = open_stories(log);
    const veil_model_source* a = src->abi();
    for (size_t k = 0; k < a->n_tensors; ++k) {
        const auto& d = a->tensors[k];
        const void* mapped = a->map(a->ctx, k);
        ASSERT_NE(mapped, nullptr);
        std::vector<uint8_t> buf(d.n_bytes);
        ASSERT_EQ(a->read(a->ctx, k, 0, buf.data(), buf.size(), 0), nullptr);
        EXPECT_EQ(std::memcmp(buf.data(), mapped, buf.size()), 0) << d.name;
        // A slice in the middle.
        std::vector<uint8_t> part(d.n_bytes / 3);
        ASSERT_EQ(a->read(a->ctx, k, d.n_bytes / 4, part.data(), part.size(), 0), nullptr);
        EXPECT_EQ(std::memcmp(part.data(), static_cast<const uint8_t*>(mapped) + d.n_bytes / 4, part.size()), 0);
    }
    EXPECT_EQ(a->map(a->ctx, a->n_tensors), nullptr);
    EXPECT_EQ(log.count, 0);
}

TEST(ModelSource, NoCacheReadsMatchTheMapping) {
    ErrorLog log;
    auto src = open_stories(log);
    const veil_model_source* a = src->abi();
    for (size_t k = 0; k < a->n_tensors; ++k) {
        const auto& d = a->tensors[k];
        size_t cap = (d.n_bytes + 4095) / 4096 * 4096;
        void* raw = std::aligned_alloc(4096, cap);
        ASSERT_NE(raw, nullptr);
        ASSERT_EQ(a->read(a->ctx, k, 0, raw, d.n_bytes, VEIL_READ_NOCACHE), nullptr) << log.message;
        EXPECT_EQ(std::memcmp(raw, a->map(a->ctx, k), d.n_bytes), 0) << d.name;
        // Unaligned destination and offset take the pread + fadvise path.
        if (d.n_bytes > 8) {
            ASSERT_EQ(a->read(a->ctx, k, 3, static_cast<uint8_t*>(raw) + 1, d.n_bytes - 5, VEIL_READ_NOCACHE), nullptr);
            EXPECT_EQ(std::memcmp(static_cast<uint8_t*>(raw) + 1, static_cast<const uint8_t*>(a->map(a->ctx, k)) + 3, d.n_bytes - 5), 0);
        }
        std::free(raw);
    }
}

TEST(ModelSource, ReadRefusesOutOfBounds) {
    ErrorLog log;
    auto src = open_stories(log);
    const veil_model_source* a = src->abi();
    uint8_t buf[16];
    const auto& d = a->tensors[0];
    EXPECT_NE(a->read(a->ctx, 0, d.n_bytes - 8, buf, 16, 0), nullptr);
    EXPECT_EQ(log.code, VEIL_ERR_INVALID_ARGUMENT);
    EXPECT_NE(log.message.find(d.name), std::string::npos) << log.message;
    EXPECT_NE(a->read(a->ctx, 0, ~0ull, buf, 1, 0), nullptr);  // offset + size would wrap
    EXPECT_NE(a->read(a->ctx, a->n_tensors, 0, buf, 1, 0), nullptr);
    EXPECT_NE(log.message.find("tensor #"), std::string::npos) << log.message;
    EXPECT_NE(a->read(a->ctx, 0, 0, nullptr, 4, 0), nullptr);
    EXPECT_EQ(a->read(a->ctx, 0, d.n_bytes, buf, 0, 0), nullptr);  // empty read at the end is fine
    EXPECT_EQ(log.count, 4);
}

TEST(ModelSource, ConcurrentReads) {
    ErrorLog log;
    auto src = open_stories(log);
    const veil_model_source* a = src->abi();
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (size_t k = static_cast<size_t>(t); k < a->n_tensors; k += 2) {
                std::vector<uint8_t> buf(a->tensors[k].n_bytes);
                if (a->read(a->ctx, k, 0, buf.data(), buf.size(), t % 2 ? VEIL_READ_NOCACHE : 0) != nullptr ||
                    std::memcmp(buf.data(), a->map(a->ctx, k), buf.size()) != 0)
                    ++mismatches;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(ModelSource, OpenErrors) {
    ErrorLog log;
    EXPECT_THROW(GgufModelSource::open(test::testdata("models/stories260K.gguf"), nullptr), std::invalid_argument);
    EXPECT_THROW(GgufModelSource::open("/nonexistent.gguf", log.factory()), GgufError);
    test::TempDir dir;
    EXPECT_THROW(GgufModelSource::open(dir.write("bad.gguf", {'G', 'G', 'U', 'F', 1, 0, 0, 0}), log.factory()), GgufError);
}

}  // namespace
}  // namespace veil
