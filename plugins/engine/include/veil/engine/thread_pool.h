// A persistent pool of worker threads: created once per model, reused for every parallel region,
// so no thread is created per matmul or per token.
#pragma once

#include <functional>
#include <memory>

namespace veil::engine {

class ThreadPool {
public:
    // n_threads >= 1 (the calling thread counts as one: n_threads - 1 workers are started).
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const;

    // Runs fn(thread_index, n_threads) on every thread (the caller is thread 0) and returns when
    // all have finished. Not reentrant; one caller at a time.
    void run(const std::function<void(int thread_index, int n_threads)>& fn);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace veil::engine
