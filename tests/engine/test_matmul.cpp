// matmul: equals a naive float64 reference and is bitwise identical for any thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <span>
#include <stdexcept>

#include "test_kernels_util.h"
#include "veil/engine/matmul.h"
#include "veil/engine/row_groups.h"

namespace veil::engine {
namespace {

struct Case {
    GgmlType type;
    int64_t rows, cols;
};

// Reference: dequantized W times the activations as the kernel sees them (converted to the
// vec_dot_type and back), in float64, so only float summation order separates the two:
// tolerance 1e-4 of sum |w * x| per output.
void reference(const Case& c, const std::vector<uint8_t>& W, const std::vector<float>& X, int64_t n_tokens,
               std::vector<double>& Y, std::vector<double>& mag) {
    const GgmlType xt = testing::traits(c.type).vec_dot_type;
    const size_t wr = row_bytes(c.type, c.cols);
    Y.assign(c.rows * n_tokens, 0.0);
    mag.assign(c.rows * n_tokens, 0.0);
    for (int64_t t = 0; t < n_tokens; ++t) {
        std::vector<float> xrow(X.begin() + t * c.cols, X.begin() + (t + 1) * c.cols);
        const auto xq = testing::convert_activations(c.type, xrow);
        const auto xd = testing::dequantize(xt, xq.data(), c.cols);
        for (int64_t r = 0; r < c.rows; ++r) {
            const auto wd = testing::dequantize(c.type, W.data() + r * wr, c.cols);
            double s = 0.0, m = 0.0;
            for (int64_t i = 0; i < c.cols; ++i) {
                s += static_cast<double>(wd[i]) * xd[i];
                m += std::fabs(static_cast<double>(wd[i]) * xd[i]);
            }
            Y[t * c.rows + r] = s;
            mag[t * c.rows + r] = m;
        }
    }
}

std::vector<uint8_t> random_matrix(const Case& c, std::mt19937& rng) {
    std::vector<uint8_t> W;
    for (int64_t r = 0; r < c.rows; ++r) {
        const auto row = testing::random_row(c.type, c.cols, rng);
        W.insert(W.end(), row.begin(), row.end());
    }
    return W;
}

// Random matrices of the cases, each regrouped into 16-row groups (the bytes own their data).
struct GroupedMatrices {
    std::vector<std::vector<uint8_t>> bytes;
    std::vector<WeightMatrix> w;
};
GroupedMatrices grouped_matrices(std::span<const Case> cases, std::mt19937& rng) {
    GroupedMatrices m;
    for (const Case& c : cases) {
        m.bytes.push_back(random_matrix(c, rng));
        m.w.push_back(plain_matrix(c.type, m.bytes.back().data(), c.rows, c.cols));
        group_rows(m.w.back());
    }
    return m;
}

TEST(Matmul, MatchesReferenceAndIsThreadCountInvariant) {
    const Case cases[] = {{GgmlType::F32, 37, 256},  {GgmlType::F16, 37, 320},  {GgmlType::Q8_0, 37, 512},
                          {GgmlType::Q4_0, 50, 512}, {GgmlType::Q4_1, 19, 256}, {GgmlType::Q5_0, 19, 256},
                          {GgmlType::Q4_K, 37, 512}, {GgmlType::Q5_K, 21, 512}, {GgmlType::Q6_K, 37, 512},
                          {GgmlType::Q2_K, 17, 256}, {GgmlType::Q3_K, 17, 256}, {GgmlType::BF16, 17, 256}};
    ThreadPool pool1(1), pool2(2);
    MatmulScratch scratch;
    std::mt19937 rng(42);
    for (const Case& c : cases) {
        const auto W = random_matrix(c, rng);
        for (int64_t n_tokens : {1, 7}) {
            const auto X = testing::random_floats(c.cols * n_tokens, rng);
            std::vector<float> y1(c.rows * n_tokens), y2(c.rows * n_tokens);
            matmul(pool1, plain_matrix(c.type, W.data(), c.rows, c.cols), X.data(), n_tokens, y1.data(), scratch);
            matmul(pool2, plain_matrix(c.type, W.data(), c.rows, c.cols), X.data(), n_tokens, y2.data(), scratch);
            ASSERT_EQ(0, std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)))
                << testing::traits(c.type).name << " tokens=" << n_tokens;
            std::vector<double> ref, mag;
            reference(c, W, X, n_tokens, ref, mag);
            for (size_t i = 0; i < ref.size(); ++i)
                ASSERT_NEAR(y1[i], ref[i], 1e-4 * mag[i] + 1e-6) << testing::traits(c.type).name << " i=" << i;
        }
    }
}

// Prefill (n_tokens > 1) goes through the tile kernels (several tokens per weight block), decode
// through vec_dot; both must give the same bits for every token, whatever the thread count, so a
// prompt's logits do not depend on how it was batched. 19 tokens = two full tiles of 8 plus 3.
TEST(Matmul, PrefillEqualsTokenByTokenBitwise) {
    const Case cases[] = {{GgmlType::Q4_0, 40, 2048}, {GgmlType::Q8_0, 41, 2080}, {GgmlType::Q4_K, 40, 2048},
                          {GgmlType::Q6_K, 40, 2048}, {GgmlType::Q5_K, 17, 512},  {GgmlType::F16, 17, 256}};
    ThreadPool pool1(1), pool2(2);
    MatmulScratch scratch;
    std::mt19937 rng(7);
    for (const Case& c : cases) {
        const auto W = random_matrix(c, rng);
        const int64_t n_tokens = 19;
        const auto X = testing::random_floats(c.cols * n_tokens, rng);
        std::vector<float> batched(c.rows * n_tokens), batched1(c.rows * n_tokens), single(c.rows * n_tokens);
        matmul(pool2, plain_matrix(c.type, W.data(), c.rows, c.cols), X.data(), n_tokens, batched.data(), scratch);
        matmul(pool1, plain_matrix(c.type, W.data(), c.rows, c.cols), X.data(), n_tokens, batched1.data(), scratch);
        for (int64_t t = 0; t < n_tokens; ++t)
            matmul(pool2, plain_matrix(c.type, W.data(), c.rows, c.cols), X.data() + t * c.cols, 1, single.data() + t * c.rows, scratch);
        EXPECT_EQ(0, std::memcmp(batched.data(), single.data(), single.size() * sizeof(float)))
            << testing::traits(c.type).name << ": prefill differs from token-by-token decode";
        EXPECT_EQ(0, std::memcmp(batched.data(), batched1.data(), single.size() * sizeof(float)))
            << testing::traits(c.type).name << ": prefill depends on the thread count";
    }
}

// matmul's tile kernels (several weight rows and tokens per call) must reproduce the kernel
// table's vec_dot bit for bit, for every row including the partial tiles at the end (rows 37 and
// 2080 columns = an odd number of 32-blocks exercise both tails).
TEST(Matmul, DecodeEqualsVecDotBitwise) {
    const Case cases[] = {{GgmlType::Q4_0, 37, 2080}, {GgmlType::Q8_0, 37, 2080}, {GgmlType::Q4_K, 37, 2048},
                          {GgmlType::Q6_K, 37, 2048}, {GgmlType::Q3_K, 9, 512},   {GgmlType::F32, 9, 96}};
    ThreadPool pool(2);
    MatmulScratch scratch;
    std::mt19937 rng(9);
    const KernelTable& k = best_kernels();
    for (const Case& c : cases) {
        const auto W = random_matrix(c, rng);
        const auto X = testing::random_floats(c.cols, rng);
        std::vector<float> y(c.rows);
        matmul(pool, plain_matrix(c.type, W.data(), c.rows, c.cols), X.data(), 1, y.data(), scratch);
        const auto xq = c.type == GgmlType::F32 ? std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(X.data()),
                                                                        reinterpret_cast<const uint8_t*>(X.data() + c.cols))
                                                : testing::convert_activations(c.type, X);
        const size_t wr = row_bytes(c.type, c.cols);
        for (int64_t r = 0; r < c.rows; ++r) {
            const float expect = k.vec_dot(c.type, c.cols, W.data() + r * wr, xq.data());
            ASSERT_EQ(0, std::memcmp(&expect, &y[r], sizeof(float))) << testing::traits(c.type).name << " row " << r;
        }
    }
}

// Threads walk ranges of row groups and steal halves of each other's (matmul.cpp): whatever the
// thread count — more threads than cores (workers descheduled mid-region, their shares stolen or
// run by the caller) or than row groups — every row of every product is written once, with the
// single-threaded bits. Rows not a multiple of 16 leave plain tails inside the ranges.
TEST(Matmul, ManyProductsEveryRowOnceForAnyThreadCount) {
    const Case cases[] = {{GgmlType::Q4_0, 300, 512}, {GgmlType::Q4_0, 17, 512}, {GgmlType::Q4_0, 40, 512}};
    std::mt19937 rng(11);
    const GroupedMatrices m = grouped_matrices(cases, rng);
    const WeightMatrix* ws[] = {&m.w[0], &m.w[1], &m.w[2]};
    for (int64_t n_tokens : {1, 5}) {
        const auto X = testing::random_floats(512 * n_tokens, rng);
        auto run = [&](int threads) {
            ThreadPool pool(threads);
            MatmulScratch scratch;
            std::vector<std::vector<float>> y;
            for (const Case& c : cases) y.emplace_back(c.rows * n_tokens, std::nanf(""));
            float* ys[] = {y[0].data(), y[1].data(), y[2].data()};
            for (int rep = 0; rep < 20; ++rep) matmul_many(pool, ws, X.data(), n_tokens, ys, scratch);
            return y;
        };
        const auto expect = run(1);
        for (const auto& y : expect)
            for (float v : y) ASSERT_FALSE(std::isnan(v)) << "tokens=" << n_tokens;
        for (int threads : {2, 3, 7, 40}) {
            const auto got = run(threads);
            for (size_t i = 0; i < expect.size(); ++i)
                ASSERT_EQ(0, std::memcmp(expect[i].data(), got[i].data(), expect[i].size() * sizeof(float)))
                    << "product " << i << ", " << threads << " threads, tokens=" << n_tokens;
        }
    }
}

// RowsDone runs once per row, on rows every product has finished for every token (here it
// checks them and marks them), whatever the thread count; matrices of unequal rows are refused.
TEST(Matmul, RowsDoneSeesEachFinishedRowOnce) {
    const Case c{GgmlType::Q4_0, 200, 256};
    std::mt19937 rng(12);
    auto a_bytes = random_matrix(c, rng), b_bytes = random_matrix(c, rng);
    WeightMatrix a = plain_matrix(c.type, a_bytes.data(), c.rows, c.cols), b = plain_matrix(c.type, b_bytes.data(), c.rows, c.cols);
    group_rows(a);
    const WeightMatrix* ws[] = {&a, &b};  // one grouped, one plain: both paths
    const int64_t n_tokens = 3;
    const auto X = testing::random_floats(c.cols * n_tokens, rng);
    struct Seen {
        std::vector<float>* y[2];
        int64_t rows, n_tokens;
        std::vector<std::atomic<int>> calls;
        std::atomic<int> unfinished{0};
        static void rows_done(void* ctx, int64_t r0, int64_t r1) {
            Seen& s = *static_cast<Seen*>(ctx);
            for (int64_t r = r0; r < r1; ++r) {
                s.calls[static_cast<size_t>(r)].fetch_add(1);
                for (auto* y : s.y)
                    for (int64_t t = 0; t < s.n_tokens; ++t)
                        if (std::isnan((*y)[static_cast<size_t>(t * s.rows + r)])) s.unfinished.fetch_add(1);
            }
        }
    };
    for (int threads : {1, 2, 3, 7}) {
        ThreadPool pool(threads);
        MatmulScratch scratch;
        std::vector<float> ya(c.rows * n_tokens, std::nanf("")), yb(ya);
        Seen seen{{&ya, &yb}, c.rows, n_tokens, std::vector<std::atomic<int>>(c.rows), {}};
        float* ys[] = {ya.data(), yb.data()};
        matmul_many(pool, ws, X.data(), n_tokens, ys, scratch, RowsDone{Seen::rows_done, &seen});
        for (int64_t r = 0; r < c.rows; ++r) ASSERT_EQ(1, seen.calls[static_cast<size_t>(r)].load()) << "row " << r << ", " << threads << " threads";
        EXPECT_EQ(0, seen.unfinished.load()) << threads << " threads";
    }
    const Case shorter{GgmlType::Q4_0, 40, 256};
    auto s_bytes = random_matrix(shorter, rng);
    const WeightMatrix s = plain_matrix(shorter.type, s_bytes.data(), shorter.rows, shorter.cols);
    const WeightMatrix* unequal[] = {&a, &s};
    ThreadPool pool(2);
    MatmulScratch scratch;
    std::vector<float> y1(c.rows * n_tokens), y2(shorter.rows * n_tokens);
    float* ys[] = {y1.data(), y2.data()};
    EXPECT_THROW(matmul_many(pool, unequal, X.data(), n_tokens, ys, scratch, RowsDone{[](void*, int64_t, int64_t) {}, nullptr}),
                 std::invalid_argument);
}

// An InputStep writes X before any product reads it — inside the region in decode, before it
// otherwise — and the products equal those of X written beforehand, for any thread count. A
// failing step fails the call (the other threads, waiting on it, are released) and leaves the
// pool usable.
TEST(Matmul, InputStepWritesXBeforeTheProductsReadIt) {
    const Case cases[] = {{GgmlType::Q4_0, 300, 512}, {GgmlType::Q8_0, 64, 512}};
    std::mt19937 rng(13);
    const GroupedMatrices m = grouped_matrices(cases, rng);
    const WeightMatrix* ws[] = {&m.w[0], &m.w[1]};
    struct CopyIn {
        const std::vector<float>* from;
        std::vector<float>* to;
        int calls = 0;
        static void run(void* ctx) {
            auto& s = *static_cast<CopyIn*>(ctx);
            *s.to = *s.from;
            ++s.calls;
        }
    };
    for (int64_t n_tokens : {1, 4}) {
        const auto source = testing::random_floats(512 * n_tokens, rng);
        for (int threads : {1, 2, 3}) {
            ThreadPool pool(threads);
            MatmulScratch scratch;
            std::vector<float> expect0(300 * n_tokens), expect1(64 * n_tokens), got0(expect0.size(), NAN), got1(expect1.size(), NAN);
            float* ye[] = {expect0.data(), expect1.data()};
            matmul_many(pool, ws, source.data(), n_tokens, ye, scratch);
            std::vector<float> x(source.size(), NAN);
            CopyIn copy{&source, &x};
            float* yg[] = {got0.data(), got1.data()};
            matmul_many(pool, ws, x.data(), n_tokens, yg, scratch, {}, InputStep{CopyIn::run, &copy});
            EXPECT_EQ(1, copy.calls);
            ASSERT_EQ(0, std::memcmp(expect0.data(), got0.data(), expect0.size() * sizeof(float)))
                << threads << " threads, tokens=" << n_tokens;
            ASSERT_EQ(0, std::memcmp(expect1.data(), got1.data(), expect1.size() * sizeof(float)))
                << threads << " threads, tokens=" << n_tokens;

            auto fail = [](void*) { throw std::runtime_error("input step failed"); };
            EXPECT_THROW(matmul_many(pool, ws, x.data(), n_tokens, yg, scratch, {}, InputStep{fail, nullptr}),
                         std::runtime_error);
            std::fill(got0.begin(), got0.end(), NAN);
            matmul_many(pool, ws, source.data(), n_tokens, yg, scratch);  // the pool still works
            ASSERT_EQ(0, std::memcmp(expect0.data(), got0.data(), expect0.size() * sizeof(float))) << threads << " threads";
        }
    }
}

// Not a pass/fail test: prints decode throughput (weight bytes streamed per second) on a
// 4096 x 4096 matrix for the hot types, for the record.
TEST(Matmul, ReportThroughput) {
    std::mt19937 rng(5);
    ThreadPool pool(2);
    MatmulScratch scratch;
    for (GgmlType t : {GgmlType::Q4_K, GgmlType::Q6_K, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::F16}) {
        const Case c{t, 4096, 4096};
        const auto W = random_matrix(c, rng);
        const auto X = testing::random_floats(c.cols, rng);
        std::vector<float> y(c.rows);
        matmul(pool, plain_matrix(t, W.data(), c.rows, c.cols), X.data(), 1, y.data(), scratch);  // warm-up
        const int iters = 10;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < iters; ++i) matmul(pool, plain_matrix(t, W.data(), c.rows, c.cols), X.data(), 1, y.data(), scratch);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
        std::printf("[Matmul] %s 4096x4096 decode (%s, 2 threads): %.3f ms, %.1f GB/s of weights\n",
                    testing::traits(t).name, isa_name(best_kernels().isa), s * 1e3, W.size() / s / 1e9);
    }
}

}  // namespace
}  // namespace veil::engine
