// A persistent pool of worker threads: created once per model, reused for every parallel region,
// so no thread is created per matmul or per token.
#pragma once

#include <memory>
#include <type_traits>

namespace veil::engine {

class ThreadPool {
public:
    // What one thread runs in a region: task(ctx, thread_index, n_threads).
    using Task = void (*)(void* ctx, int thread_index, int n_threads);

    // n_threads >= 1 (the calling thread counts as one: n_threads - 1 workers are started).
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const;

    // Runs task(ctx, thread_index, n_threads) on every thread (the caller is thread 0) and returns
    // when all have finished. A plain pointer pair, so starting a region never allocates. Not
    // reentrant; one caller at a time. An exception thrown on the calling thread propagates after
    // the workers finish; tasks must not throw on workers (std::terminate).
    void run(Task task, void* ctx);

    // Convenience for callables: fn(thread_index, n_threads), called by reference (no copy, no
    // type erasure on the heap).
    template <typename Fn>
    void run(Fn&& fn) {
        using F = std::remove_reference_t<Fn>;
        run([](void* c, int ti, int nt) { (*static_cast<F*>(c))(ti, nt); },
            const_cast<void*>(static_cast<const void*>(&fn)));
    }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace veil::engine
