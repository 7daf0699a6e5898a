// Persistent thread pool with a spin-then-sleep handshake.
//
// A decode step issues ~10 parallel regions per layer, each tens to hundreds of microseconds, so
// waking threads through the kernel on every region would dominate. Workers therefore spin on a
// generation counter for a short while after each region and only then sleep in a futex wait
// (std::atomic::wait); the caller publishes a region by bumping the counter, runs its own share
// as thread 0, then waits (spin, then futex) for a countdown of the workers still busy.
// std::atomic::notify_* only enters the kernel when somebody actually sleeps.
#include "veil/engine/thread_pool.h"

#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace veil::engine {
namespace {

// ~50-100 us of spinning (PAUSE is 40-140 cycles): longer than the gap between two regions of a
// decode step, much shorter than the gap between two tokens of an idle server.
constexpr int kSpinIterations = 1 << 12;

inline void cpu_relax() { __builtin_ia32_pause(); }

using Job = std::function<void(int, int)>;

}  // namespace

struct ThreadPool::Impl {
    int n_threads = 1;
    std::vector<std::thread> workers;
    const Job* job = nullptr;
    std::atomic<uint32_t> generation{0};
    std::atomic<int> pending{0};
    std::atomic<bool> stop{false};

    void worker_loop(int index) {
        uint32_t seen = 0;
        for (;;) {
            uint32_t g = generation.load(std::memory_order_acquire);
            for (int s = 0; g == seen && s < kSpinIterations; ++s) {
                cpu_relax();
                g = generation.load(std::memory_order_acquire);
            }
            while (g == seen) {
                generation.wait(seen, std::memory_order_acquire);
                g = generation.load(std::memory_order_acquire);
            }
            seen = g;
            if (stop.load(std::memory_order_acquire)) return;
            (*job)(index, n_threads);  // jobs must not throw on workers (std::terminate)
            if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) pending.notify_one();
        }
    }

    void wait_workers() {
        int p = pending.load(std::memory_order_acquire);
        for (int s = 0; p != 0 && s < kSpinIterations; ++s) {
            cpu_relax();
            p = pending.load(std::memory_order_acquire);
        }
        while (p != 0) {
            pending.wait(p, std::memory_order_acquire);
            p = pending.load(std::memory_order_acquire);
        }
    }
};

ThreadPool::ThreadPool(int n_threads) : impl_(std::make_unique<Impl>()) {
    impl_->n_threads = n_threads < 1 ? 1 : n_threads;
    impl_->workers.reserve(static_cast<size_t>(impl_->n_threads - 1));
    for (int i = 1; i < impl_->n_threads; ++i) impl_->workers.emplace_back([this, i] { impl_->worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    impl_->stop.store(true, std::memory_order_release);
    impl_->generation.fetch_add(1, std::memory_order_release);
    impl_->generation.notify_all();
    for (auto& t : impl_->workers) t.join();
}

int ThreadPool::size() const { return impl_->n_threads; }

void ThreadPool::run(const std::function<void(int thread_index, int n_threads)>& fn) {
    Impl& s = *impl_;
    if (s.n_threads == 1) {
        fn(0, 1);
        return;
    }
    s.job = &fn;
    s.pending.store(s.n_threads - 1, std::memory_order_relaxed);
    s.generation.fetch_add(1, std::memory_order_release);  // publishes job and pending
    s.generation.notify_all();
    std::exception_ptr error;
    try {
        fn(0, s.n_threads);
    } catch (...) {
        error = std::current_exception();  // workers still hold &fn: wait for them first
    }
    s.wait_workers();
    if (error) std::rethrow_exception(error);
}

}  // namespace veil::engine
