// Admission control for generations: at most `parallel` run at once and at most `queue` wait for a
// slot; beyond that a request is refused at once (503 + Retry-After) instead of piling up.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace veil::server {

class Admission {
public:
    Admission(uint32_t parallel, uint32_t queue) : parallel_(parallel == 0 ? 1 : parallel), queue_(queue) {}

    // A running slot; releases it on destruction.
    class Ticket {
    public:
        explicit Ticket(Admission* a) : a_(a) {}
        Ticket(Ticket&& o) noexcept : a_(o.a_) { o.a_ = nullptr; }
        Ticket& operator=(Ticket&&) = delete;
        Ticket(const Ticket&) = delete;
        ~Ticket() {
            if (a_) a_->release();
        }

    private:
        Admission* a_;
    };

    enum class Refusal { QueueFull, Closed, Abandoned };

    // Takes a slot, waiting in the queue when all are busy. Returns the refusal instead when the
    // queue is full, when close() was called, or when `abandoned` (polled while waiting, e.g. "the
    // client hung up") returns true.
    std::optional<Ticket> enter(const std::function<bool()>& abandoned, Refusal* why);

    // Refuses every waiting and future request (shutdown).
    void close();

    uint32_t running() const;
    uint32_t waiting() const;
    // Blocks until nothing runs or waits, or until `seconds` passed; true when idle.
    bool wait_idle(double seconds) const;

private:
    void release();

    const uint32_t parallel_, queue_;
    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    uint32_t running_ = 0, waiting_ = 0;
    bool closed_ = false;
};

}  // namespace veil::server
