// matmul on Grouped16 matrices: grouped rows give the group kernel's bits (whatever the thread
// count or batching), plain tail rows the plain path's, and the whole agrees with the plain
// matmul of the same weights up to float rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "test_group_kernels_util.h"
#include "veil/engine/matmul.h"

namespace veil::engine {
namespace {

struct Case {
    GgmlType type;
    int64_t rows, cols;
};

// 40 rows: two groups and a plain tail of 8; 48: three groups, no tail; 17: one group and one row.
const Case kCases[] = {{GgmlType::Q4_0, 40, 2080}, {GgmlType::Q8_0, 48, 1024}, {GgmlType::Q4_K, 40, 2048},
                       {GgmlType::Q6_K, 40, 1024}, {GgmlType::Q4_0, 17, 64},   {GgmlType::Q6_K, 17, 256}};

std::string name_of(const Case& c) {
    return std::string(testing::traits(c.type).name) + " " + std::to_string(c.rows) + "x" + std::to_string(c.cols);
}

struct Grouped {
    std::vector<uint8_t> plain, bytes;
    WeightMatrix plain_m, grouped_m;

    Grouped(const Case& c, std::mt19937& rng) : plain(testing::random_rows(c.type, c.rows, c.cols, rng)), bytes(plain) {
        plain_m = plain_matrix(c.type, plain.data(), c.rows, c.cols);
        grouped_m = plain_matrix(c.type, bytes.data(), c.rows, c.cols);
        group_rows(grouped_m);
    }
};

std::vector<float> mm(ThreadPool& pool, const WeightMatrix& w, const std::vector<float>& x, int64_t n_tokens) {
    MatmulScratch scratch;
    std::vector<float> y(static_cast<size_t>(w.rows * n_tokens));
    matmul(pool, w, x.data(), n_tokens, y.data(), scratch);
    return y;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

TEST(GroupKernelsMatmul, ThreadCountAndBatchingDoNotChangeBits) {
    ThreadPool pool1(1), pool2(2);
    std::mt19937 rng(31);
    for (const Case& c : kCases) {
        const Grouped w(c, rng);
        ASSERT_EQ(RowLayout::Grouped16, w.grouped_m.layout) << name_of(c);
        const int64_t n_tokens = 7;
        const auto X = testing::random_floats(c.cols * n_tokens, rng);
        const auto y1 = mm(pool1, w.grouped_m, X, n_tokens);
        const auto y2 = mm(pool2, w.grouped_m, X, n_tokens);
        ASSERT_EQ(0, std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float))) << name_of(c) << ": 1 vs 2 threads";
        for (int64_t t = 0; t < n_tokens; ++t) {
            const std::vector<float> xt(X.begin() + t * c.cols, X.begin() + (t + 1) * c.cols);
            const auto single = mm(pool2, w.grouped_m, xt, 1);
            for (int64_t r = 0; r < c.rows; ++r)
                ASSERT_TRUE(same_bits(y1[t * c.rows + r], single[r]))
                    << name_of(c) << ": prefill differs from decode at token " << t << " row " << r;
        }
    }
}

// Grouped rows are exactly the group kernel's output (the reference's bits, which every SIMD
// kernel reproduces); tail rows are exactly the plain matmul's; every row is close to the plain
// result (different float order: per-block products and accumulation, 1e-5 of sum |w * x|).
TEST(GroupKernelsMatmul, GroupedRowsAreTheGroupKernelsAndTailRowsThePlainPaths) {
    ThreadPool pool(2);
    std::mt19937 rng(32);
    for (const Case& c : kCases) {
        const Grouped w(c, rng);
        const int64_t n_tokens = 5;
        const auto X = testing::random_floats(c.cols * n_tokens, rng);
        const auto grouped = mm(pool, w.grouped_m, X, n_tokens);
        const auto plain = mm(pool, w.plain_m, X, n_tokens);

        std::vector<std::vector<float>> rows;
        for (int64_t t = 0; t < n_tokens; ++t) rows.emplace_back(X.begin() + t * c.cols, X.begin() + (t + 1) * c.cols);
        const detail::GroupKernel ref = detail::scalar_group_kernel(c.type);
        const testing::GroupActivations x(c.type, ref, rows, c.cols);
        const int64_t n_grouped = c.rows / kRowGroup * kRowGroup;
        const size_t stride = row_bytes(c.type, c.cols);
        std::vector<float> expect(static_cast<size_t>(kRowGroup * n_tokens));
        for (int64_t g = 0; g < n_grouped; g += kRowGroup) {
            ref.dot(c.cols, w.bytes.data() + static_cast<size_t>(g) * stride, x.base, x.stride, x.side_off,
                    static_cast<int>(n_tokens), expect.data(), kRowGroup);
            for (int64_t t = 0; t < n_tokens; ++t)
                for (int64_t i = 0; i < kRowGroup; ++i)
                    ASSERT_TRUE(same_bits(expect[t * kRowGroup + i], grouped[t * c.rows + g + i]))
                        << name_of(c) << ": grouped row " << g + i << " token " << t;
        }
        for (int64_t t = 0; t < n_tokens; ++t) {
            for (int64_t r = n_grouped; r < c.rows; ++r)
                ASSERT_TRUE(same_bits(plain[t * c.rows + r], grouped[t * c.rows + r]))
                    << name_of(c) << ": tail row " << r << " token " << t;
            for (int64_t r = 0; r < c.rows; ++r) {
                const auto wd = testing::dequantize(c.type, w.plain.data() + static_cast<size_t>(r) * stride, c.cols);
                double mag = 0.0;
                for (int64_t j = 0; j < c.cols; ++j) mag += std::fabs(static_cast<double>(wd[j]) * x.dequantized[t][j]);
                ASSERT_NEAR(plain[t * c.rows + r], grouped[t * c.rows + r], 1e-5 * mag + 1e-7)
                    << name_of(c) << ": row " << r << " token " << t;
            }
        }
    }
}

}  // namespace
}  // namespace veil::engine
