#include "prefetcher.h"

#include <chrono>

#include "veil/plugin.hpp"

namespace veil::backend_stream {

Prefetcher::Prefetcher(const veil_model_source& source, const std::vector<WeightUnit>& units, size_t n_slots,
                       size_t slot_bytes, WeightIoCounters& io, std::function<void(veil_error*)> drop_error)
    : source_(source), units_(units), drop_error_(std::move(drop_error)), slots_(n_slots) {
    for (Slot& s : slots_) s.buffer = std::make_unique<WeightBuffer>(slot_bytes, io);
    io_ = std::thread([this] { io_loop(); });
}

Prefetcher::~Prefetcher() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    io_.join();
    // WeightBuffer's destructor zeroizes what each slot still holds.
}

void Prefetcher::io_loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        Slot* free_slot = nullptr;
        cv_.wait(lock, [&] {
            if (stop_) return true;
            if (order_.empty()) return false;
            for (Slot& s : slots_)
                if (s.state == State::Free) {
                    free_slot = &s;
                    return true;
                }
            return false;
        });
        if (stop_) return;
        const size_t unit = order_[cursor_];
        cursor_ = (cursor_ + 1) % order_.size();
        free_slot->state = State::Loading;
        free_slot->unit = unit;
        free_slot->error.clear();
        lock.unlock();
        std::string error;
        try {
            free_slot->buffer->fill(source_, units_[unit], drop_error_);
        } catch (const std::exception& e) {
            error = e.what();
        }
        lock.lock();
        free_slot->error = std::move(error);
        free_slot->state = State::Ready;
        cv_.notify_all();
    }
}

Prefetcher::Slot* Prefetcher::find(size_t unit) {
    for (Slot& s : slots_)
        if ((s.state == State::Loading || s.state == State::Ready) && s.unit == unit) return &s;
    return nullptr;
}

void Prefetcher::set_order(std::vector<size_t> order) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] {
        for (const Slot& s : slots_)
            if (s.state == State::Loading) return false;
        return true;
    });
    for (Slot& s : slots_) {
        if (s.state == State::InUse) throw sdk::Error(VEIL_ERR_INTERNAL, "streaming order changed while a unit is in use");
        s.buffer->zeroize(s.buffer->bytes());
        s.state = State::Free;
    }
    order_ = std::move(order);
    cursor_ = 0;
    consumed_ = 0;
    cv_.notify_all();
}

const uint8_t* Prefetcher::acquire(size_t unit) {
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu_);
    if (order_.empty() || order_[consumed_] != unit)
        throw sdk::Error(VEIL_ERR_INTERNAL, "unit " + std::to_string(unit) + " is not next in the streaming order");
    consumed_ = (consumed_ + 1) % order_.size();
    // The I/O thread reads in the same order, so the unit is in a slot or will be once one frees.
    Slot* slot = find(unit);
    const bool ready = slot != nullptr && slot->state == State::Ready;
    cv_.wait(lock, [&] {
        slot = find(unit);
        return slot != nullptr && slot->state == State::Ready;
    });
    ++counters_.units_acquired;
    if (ready) ++counters_.units_ready;
    else counters_.stall_ns += static_cast<uint64_t>(
             std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
    if (!slot->error.empty()) {
        const std::string error = slot->error;
        slot->buffer->zeroize(slot->buffer->bytes());
        slot->state = State::Free;
        // The I/O thread has moved on; the caller restarts the order (set_order) after failing.
        throw sdk::Error(VEIL_ERR_IO, error);
    }
    slot->state = State::InUse;
    return slot->buffer->data();
}

void Prefetcher::release(size_t unit) {
    Slot* slot = nullptr;
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (Slot& s : slots_)
            if (s.state == State::InUse && s.unit == unit) slot = &s;
    }
    if (slot == nullptr) return;
    // Zeroized on the compute thread, outside the lock: the I/O thread keeps reading meanwhile.
    slot->buffer->zeroize(slot->buffer->bytes());
    std::lock_guard<std::mutex> lock(mu_);
    slot->state = State::Free;
    cv_.notify_all();
}

PrefetchCounters Prefetcher::counters() const {
    std::lock_guard<std::mutex> lock(mu_);
    return counters_;
}

}  // namespace veil::backend_stream
