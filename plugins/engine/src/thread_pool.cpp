// Persistent thread pool with a spin-then-sleep handshake.
//
// A decode step issues ~10 parallel regions per layer, each a few to a few hundred microseconds,
// so waking threads through the kernel on every region would dominate. Workers therefore spin on
// a generation counter for a while after each region and only then sleep in a futex wait
// (std::atomic::wait); the caller publishes a region by bumping the counter, runs its own share as
// thread 0, then waits (spin, then futex) for a countdown of the workers still busy.
// std::atomic::notify_* only enters the kernel when somebody actually sleeps.
//
// A worker must claim its share of a region before running it, and the caller, once done with its
// own share, claims every share no worker has picked up yet and runs it itself. On a loaded
// machine (more runnable threads than cores) a descheduled worker then costs the region only the
// time to do its share serially, instead of the caller idling for a whole scheduler time slice
// (milliseconds) until the worker is scheduled again. Each share still runs exactly once, with
// its own thread index.
//
// The spin is bounded by time (TSC), not by iterations: PAUSE costs anywhere from ~10 to ~140
// cycles depending on the CPU, and an iteration budget tuned on one machine spins 10x too short
// on another, putting a futex wake-up (tens to hundreds of microseconds under load) between every
// two regions of a decode step.
#include "veil/engine/thread_pool.h"

#include <x86intrin.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace veil::engine {
namespace {

// ~0.5 ms at 2-4 GHz TSC: longer than any gap between two regions of a forward pass (norms,
// RoPE, sampling), much shorter than the gap between two requests of an idle server.
constexpr uint64_t kSpinCycles = uint64_t{1} << 21;

inline void cpu_relax() { __builtin_ia32_pause(); }

// Spins until pred() or the budget runs out; returns pred()'s last value.
template <typename Pred>
bool spin_until(Pred pred) {
    if (pred()) return true;
    const uint64_t start = __rdtsc();
    for (;;) {
        for (int i = 0; i < 16; ++i) {
            cpu_relax();
            if (pred()) return true;
        }
        if (__rdtsc() - start > kSpinCycles) return false;
    }
}

}  // namespace

// Per-worker claim slot: holds the generation of a region whose share is still unclaimed, or 0.
struct alignas(64) Slot {
    std::atomic<uint32_t> open{0};
};

// Claims the share of region `g` in `slot`: true for exactly one of the worker and the caller.
inline bool claim(Slot& slot, uint32_t g) {
    uint32_t expected = g;
    return slot.open.compare_exchange_strong(expected, 0, std::memory_order_acq_rel, std::memory_order_relaxed);
}

struct ThreadPool::Impl {
    int n_threads = 1;
    std::vector<std::thread> workers;
    std::unique_ptr<Slot[]> slots;  // [n_threads]; index 0 (the caller) unused
    Task task = nullptr;
    void* ctx = nullptr;
    // Region counter (workers wait for it to move) and countdown of workers still running.
    // Separate cache lines: the caller polls `pending` while workers decrement it, and a shared
    // line would bounce the generation counter the workers poll.
    alignas(64) std::atomic<uint32_t> generation{0};
    alignas(64) std::atomic<int> pending{0};
    alignas(64) std::atomic<bool> stop{false};

    void worker_loop(int index) {
        uint32_t seen = 0;
        for (;;) {
            if (!spin_until([&] { return generation.load(std::memory_order_acquire) != seen; })) {
                while (generation.load(std::memory_order_acquire) == seen) generation.wait(seen, std::memory_order_acquire);
            }
            seen = generation.load(std::memory_order_acquire);
            if (stop.load(std::memory_order_acquire)) return;
            if (!claim(slots[index], seen)) continue;  // the caller ran this share (or a newer region is up)
            task(ctx, index, n_threads);
            if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) pending.notify_one();
        }
    }

    void wait_workers() {
        if (spin_until([&] { return pending.load(std::memory_order_acquire) == 0; })) return;
        for (int p = pending.load(std::memory_order_acquire); p != 0; p = pending.load(std::memory_order_acquire))
            pending.wait(p, std::memory_order_acquire);
    }
};

ThreadPool::ThreadPool(int n_threads) : impl_(std::make_unique<Impl>()) {
    impl_->n_threads = n_threads < 1 ? 1 : n_threads;
    impl_->slots = std::make_unique<Slot[]>(static_cast<size_t>(impl_->n_threads));
    impl_->workers.reserve(static_cast<size_t>(impl_->n_threads - 1));
    for (int i = 1; i < impl_->n_threads; ++i) impl_->workers.emplace_back([this, i] { impl_->worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    impl_->stop.store(true, std::memory_order_release);
    impl_->generation.fetch_add(1, std::memory_order_release);  // any change wakes the workers
    impl_->generation.notify_all();
    for (auto& t : impl_->workers) t.join();
}

int ThreadPool::size() const { return impl_->n_threads; }

void ThreadPool::run(Task task, void* ctx) {
    Impl& s = *impl_;
    if (s.n_threads == 1) {
        task(ctx, 0, 1);
        return;
    }
    s.task = task;
    s.ctx = ctx;
    s.pending.store(s.n_threads - 1, std::memory_order_relaxed);
    // Generation 0 marks a closed slot, so skip it when the counter wraps.
    uint32_t g = s.generation.load(std::memory_order_relaxed) + 1;
    if (g == 0) g = 1;
    for (int i = 1; i < s.n_threads; ++i) s.slots[i].open.store(g, std::memory_order_release);
    s.generation.store(g, std::memory_order_release);  // publishes task, ctx, pending and slots
    s.generation.notify_all();
    std::exception_ptr error;
    try {
        task(ctx, 0, s.n_threads);
        for (int i = 1; i < s.n_threads; ++i)
            if (claim(s.slots[i], g)) {
                task(ctx, i, s.n_threads);
                s.pending.fetch_sub(1, std::memory_order_acq_rel);
            }
    } catch (...) {
        error = std::current_exception();  // workers still use ctx: wait until they ran their shares
    }
    s.wait_workers();
    if (error) std::rethrow_exception(error);
}

}  // namespace veil::engine
