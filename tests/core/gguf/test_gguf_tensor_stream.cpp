// stream_converted_rows: the bytes are the reference quantizer's, whatever the thread count and
// batch size, and impossible conversions are refused.
#include <gtest/gtest.h>

#include <cmath>

#include "gguf/gguf_file.h"
#include "gguf/gguf_tensor_stream.h"
#include "gguf_test_util.h"
#include "veil/engine/quantize.h"

namespace veil {
namespace {

using engine::GgmlType;

float value(int64_t row, int64_t i) { return std::sin(static_cast<float>(row * 977 + i) * 0.01f); }

std::vector<uint8_t> stream(GgmlType type, int64_t ne0, int64_t rows, int threads, uint64_t batch_bytes) {
    test::TempDir dir;
    const std::string path = dir.file("t.gguf");
    GgufWriter w;
    w.add_tensor("t", static_cast<uint32_t>(type), {static_cast<uint64_t>(ne0), static_cast<uint64_t>(rows)});
    w.begin(path);
    TensorStreamOptions o;
    o.threads = threads;
    o.batch_bytes = batch_bytes;
    uint64_t last = 0;
    o.on_progress = [&](uint64_t done) { EXPECT_GT(done, last); last = done; };
    stream_converted_rows(w, type, ne0, rows, [&](int64_t r, float* dst) {
        for (int64_t i = 0; i < ne0; ++i) dst[i] = value(r, i);
    }, o);
    w.finish();
    EXPECT_EQ(last, engine::row_bytes(type, ne0) * static_cast<uint64_t>(rows));
    auto f = GgufFile::open(path);
    const auto& t = f->tensors().at(0);
    return std::vector<uint8_t>(f->tensor_data(t), f->tensor_data(t) + t.n_bytes);
}

TEST(GgufTensorStream, SameBytesForAnyThreadCountAndBatch) {
    for (GgmlType type : {GgmlType::F16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K}) {
        const int64_t ne0 = 512, rows = 37;
        std::vector<uint8_t> want(engine::row_bytes(type, ne0) * rows);
        std::vector<float> row(ne0);
        for (int64_t r = 0; r < rows; ++r) {
            for (int64_t i = 0; i < ne0; ++i) row[i] = value(r, i);
            engine::quantize_weights_row(type, row.data(), want.data() + r * engine::row_bytes(type, ne0), ne0);
        }
        EXPECT_TRUE(stream(type, ne0, rows, 1, 1 << 20) == want);
        EXPECT_TRUE(stream(type, ne0, rows, 2, 5 * ne0 * 4) == want);  // batches of 5 rows, last one short
        EXPECT_TRUE(stream(type, ne0, rows, 3, 1) == want);            // one row per batch
    }
}

TEST(GgufTensorStream, RefusesImpossibleConversions) {
    test::TempDir dir;
    GgufWriter w;
    w.add_tensor("t", static_cast<uint32_t>(GgmlType::F32), {64});
    w.begin(dir.file("t.gguf"));
    auto fill = [](int64_t, float* dst) { dst[0] = 0; };
    EXPECT_THROW(stream_converted_rows(w, GgmlType::Q5_0, 64, 1, fill, {}), GgufError);  // no writer for Q5_0
    EXPECT_THROW(stream_converted_rows(w, GgmlType::Q4_K, 64, 1, fill, {}), GgufError);  // not a whole super-block
    // A source that throws aborts the write with its message.
    auto bad = [](int64_t, float*) { throw std::runtime_error("source broke"); };
    try {
        stream_converted_rows(w, GgmlType::F32, 64, 1, bad, {});
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "source broke");
    }
}

}  // namespace
}  // namespace veil
