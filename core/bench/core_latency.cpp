#include "bench/core_latency.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace veil::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The line both threads write: odd values are the caller's serves, even ones the returns.
struct alignas(64) Ball {
    std::atomic<uint64_t> v{0};
};

}  // namespace

std::optional<double> measure_core_to_core_latency_ns(unsigned round_trips, std::chrono::milliseconds budget) {
    if (round_trips < 5) throw std::invalid_argument("core-to-core latency: round_trips must be at least 5");
    if (std::thread::hardware_concurrency() < 2) return std::nullopt;
    constexpr unsigned kBatches = 5;
    const uint64_t per_batch = round_trips / kBatches, total = per_batch * kBatches;
    const Clock::time_point deadline = Clock::now() + budget;
    Ball ball;
    std::atomic<bool> give_up{false};
    // Either thread checks the clock only every 4096 polls: a clock read costs more than the fast
    // (~25 ns) hand-off being measured.
    auto wait_for = [&](uint64_t value) {
        for (unsigned polls = 0; ball.v.load(std::memory_order_acquire) != value;) {
            if (++polls % 4096 == 0 && (give_up.load(std::memory_order_relaxed) || Clock::now() > deadline)) {
                give_up.store(true, std::memory_order_relaxed);
                return false;
            }
        }
        return true;
    };
    std::jthread returner([&] {
        for (uint64_t i = 0; i < total; ++i) {
            if (!wait_for(2 * i + 1)) return;
            ball.v.store(2 * i + 2, std::memory_order_release);
        }
    });
    std::vector<double> batch_ns;
    for (unsigned b = 0; b < kBatches; ++b) {
        const Clock::time_point t0 = Clock::now();
        for (uint64_t i = b * per_batch; i < (b + 1) * per_batch; ++i) {
            ball.v.store(2 * i + 1, std::memory_order_release);
            if (!wait_for(2 * i + 2)) return std::nullopt;  // the jthread sees give_up and ends
        }
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
        batch_ns.push_back(ns / (2.0 * static_cast<double>(per_batch)));
    }
    std::nth_element(batch_ns.begin(), batch_ns.begin() + kBatches / 2, batch_ns.end());
    return batch_ns[kBatches / 2];
}

}  // namespace veil::bench
