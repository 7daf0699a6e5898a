// ThreadPool: every index runs exactly once per region, regions are sequential, exceptions on the
// calling thread propagate after the workers finish.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "veil/engine/thread_pool.h"

namespace veil::engine {
namespace {

TEST(ThreadPool, EveryIndexExactlyOnce) {
    for (int threads : {1, 2, 3, 4}) {
        ThreadPool pool(threads);
        ASSERT_EQ(pool.size(), threads);
        const int n_items = 1000;
        std::vector<std::atomic<int>> hits(n_items);
        std::vector<std::atomic<int>> thread_calls(threads);
        for (int run = 0; run < 200; ++run) {
            pool.run([&](int ti, int nt) {
                ASSERT_EQ(nt, threads);
                thread_calls[ti].fetch_add(1);
                for (int i = ti; i < n_items; i += nt) hits[i].fetch_add(1);
            });
        }
        for (int i = 0; i < n_items; ++i) ASSERT_EQ(hits[i].load(), 200) << "threads=" << threads << " i=" << i;
        for (int t = 0; t < threads; ++t) ASSERT_EQ(thread_calls[t].load(), 200);
    }
}

TEST(ThreadPool, RegionsAreSequentialAndSeeEarlierWrites) {
    ThreadPool pool(2);
    std::vector<int> data(64, 0);
    for (int run = 1; run <= 500; ++run) {
        pool.run([&](int ti, int nt) {
            for (size_t i = ti; i < data.size(); i += nt) {
                ASSERT_EQ(data[i], run - 1);  // previous region fully visible
                data[i] = run;
            }
        });
    }
}

TEST(ThreadPool, CallerExceptionPropagates) {
    ThreadPool pool(2);
    std::atomic<int> worker_done{0};
    EXPECT_THROW(pool.run([&](int ti, int) {
        if (ti == 0) throw std::runtime_error("boom");
        worker_done.fetch_add(1);
    }),
                 std::runtime_error);
    EXPECT_EQ(worker_done.load(), 1);
    int ok = 0;
    pool.run([&](int ti, int) {
        if (ti == 0) ok = 1;
    });
    EXPECT_EQ(ok, 1);
}

// The caller runs any share no worker has claimed yet (a sleeping or descheduled worker): every
// index must still run exactly once per region, with its own index, whoever runs it.
TEST(ThreadPool, SharesRunOnceWhenWorkersSleep) {
    ThreadPool pool(3);
    for (int region = 0; region < 30; ++region) {
        if (region % 3 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let workers fall asleep
        std::atomic<int> calls[3] = {0, 0, 0};
        pool.run([&](int ti, int nt) {
            ASSERT_EQ(nt, 3);
            calls[ti].fetch_add(1);
        });
        for (int i = 0; i < 3; ++i) ASSERT_EQ(calls[i].load(), 1) << "region " << region << " index " << i;
    }
}

TEST(ThreadPool, SurvivesIdleSleepAndReportsOverhead) {
    ThreadPool pool(2);
    std::atomic<int> n{0};
    pool.run([&](int, int) { n.fetch_add(1); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // workers go to futex sleep
    pool.run([&](int, int) { n.fetch_add(1); });
    EXPECT_EQ(n.load(), 4);
    const int iters = 20000;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) pool.run([&](int, int) { n.fetch_add(1, std::memory_order_relaxed); });
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / iters;
    EXPECT_EQ(n.load(), 4 + 2 * iters);
    std::printf("[ThreadPool] back-to-back run() overhead with 2 threads: %.2f us\n", us);
}

}  // namespace
}  // namespace veil::engine
