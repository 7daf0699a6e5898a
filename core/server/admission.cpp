#include "server/admission.h"

#include <chrono>

namespace veil::server {

std::optional<Admission::Ticket> Admission::enter(const std::function<bool()>& abandoned, Refusal* why) {
    std::unique_lock lock(mu_);
    auto refuse = [&](Refusal r) {
        if (why) *why = r;
        return std::nullopt;
    };
    if (closed_) return refuse(Refusal::Closed);
    if (running_ < parallel_ && waiting_ == 0) {
        ++running_;
        return Ticket(this);
    }
    if (waiting_ >= queue_) return refuse(Refusal::QueueFull);
    ++waiting_;
    while (true) {
        // Poll `abandoned` a few times per second: a waiter whose client left frees its queue place.
        cv_.wait_for(lock, std::chrono::milliseconds(100));
        if (closed_) {
            --waiting_;
            cv_.notify_all();
            return refuse(Refusal::Closed);
        }
        if (running_ < parallel_) {
            --waiting_;
            ++running_;
            return Ticket(this);
        }
        if (abandoned && abandoned()) {
            --waiting_;
            cv_.notify_all();
            return refuse(Refusal::Abandoned);
        }
    }
}

void Admission::release() {
    std::lock_guard lock(mu_);
    --running_;
    cv_.notify_all();
}

void Admission::close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
}

uint32_t Admission::running() const {
    std::lock_guard lock(mu_);
    return running_;
}

uint32_t Admission::waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
}

bool Admission::wait_idle(double seconds) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return running_ == 0 && waiting_ == 0; });
}

}  // namespace veil::server
