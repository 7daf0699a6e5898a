#include "prefetcher.h"

#include <algorithm>
#include <chrono>

#include "veil/plugin.hpp"

namespace veil::backend_stream {

Prefetcher::Prefetcher(const veil_model_source& source, const std::vector<WeightUnit>& units, size_t n_slots,
                       size_t slot_bytes, WeightIoCounters& io, const sdk::Host& host)
    : source_(source), units_(units), host_(host), slots_(n_slots) {
    for (Slot& s : slots_) s.buffer = std::make_unique<WeightBuffer>(slot_bytes, io);
    io_ = std::thread([this] { io_loop(); });
    helper_ = std::thread([this] { helper_loop(); });
    for (int i = 0; i < kGroupingThreads; ++i) groupers_.emplace_back([this] { group_loop(); });
}

Prefetcher::~Prefetcher() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    io_.join();
    for (std::thread& t : groupers_) t.join();
    {
        // Only now: the I/O thread may have handed the helper a job right before it stopped.
        std::lock_guard<std::mutex> lock(mu_);
        helper_stop_ = true;
    }
    cv_.notify_all();
    helper_.join();
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
        free_slot->seq = next_seq_++;
        free_slot->error = {};
        lock.unlock();
        const auto t0 = std::chrono::steady_clock::now();
        Failure error = capture([&] { read_unit(units_[unit], *free_slot->buffer); });
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
        lock.lock();
        counters_.read_ns += static_cast<uint64_t>(ns);
        counters_.read_bytes += units_[unit].bytes;
        // On to the next free slot at once; the grouping threads take this one (a failed read
        // goes straight to acquire, which reports it).
        const bool grouped = std::any_of(units_[unit].extents.begin(), units_[unit].extents.end(),
                                         [](const Extent& e) { return e.layout != engine::RowLayout::Plain; });
        free_slot->state = !error.failed && grouped ? State::Read : State::Ready;
        free_slot->extents_taken = free_slot->extents_grouped = 0;
        free_slot->error = std::move(error);
        cv_.notify_all();
    }
}

void Prefetcher::group_loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        // The next extent nobody took of the oldest unit read: the threads share a unit.
        Slot* oldest = nullptr;
        cv_.wait(lock, [&] {
            if (stop_) return true;
            oldest = nullptr;
            for (Slot& s : slots_)
                if (s.state == State::Read && s.extents_taken < units_[s.unit].extents.size() &&
                    (oldest == nullptr || s.seq < oldest->seq))
                    oldest = &s;
            return oldest != nullptr;
        });
        if (stop_) return;
        const WeightUnit& unit = units_[oldest->unit];
        const Extent& extent = unit.extents[oldest->extents_taken++];
        lock.unlock();
        Failure error = capture([&] { oldest->buffer->regroup(source_, extent); });
        lock.lock();
        if (!oldest->error.failed) oldest->error = std::move(error);
        if (++oldest->extents_grouped == unit.extents.size()) {
            oldest->state = State::Ready;
            cv_.notify_all();
        }
    }
}

void Prefetcher::read_unit(const WeightUnit& unit, WeightBuffer& buffer) {
    buffer.mark_dirty(unit.bytes);
    // Split the extents where half of the unit's bytes are behind.
    size_t split = unit.extents.size(), before = 0;
    for (size_t i = 0; i < unit.extents.size(); ++i) {
        if (2 * before >= unit.bytes) {
            split = i;
            break;
        }
        before += unit.extents[i].bytes;
    }
    {
        std::lock_guard<std::mutex> lock(mu_);
        helper_unit_ = &unit;
        helper_buffer_ = &buffer;
        helper_first_ = split;
        helper_error_ = {};
    }
    cv_.notify_all();
    Failure error = capture([&] { buffer.fill_extents(source_, unit, 0, split, host_); });
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return helper_unit_ == nullptr; });
    if (!error.failed) error = helper_error_;
    if (error.failed) throw sdk::Error(error.code, error.message);
}

void Prefetcher::helper_loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return helper_stop_ || helper_unit_ != nullptr; });
        if (helper_unit_ == nullptr) return;  // stopping, and the I/O thread is gone
        const WeightUnit& unit = *helper_unit_;
        WeightBuffer& buffer = *helper_buffer_;
        const size_t first = helper_first_;
        lock.unlock();
        Failure error = capture([&] { buffer.fill_extents(source_, unit, first, unit.extents.size(), host_); });
        lock.lock();
        helper_error_ = std::move(error);
        helper_unit_ = nullptr;
        cv_.notify_all();
    }
}

Prefetcher::Slot* Prefetcher::find(size_t unit) {
    for (Slot& s : slots_)
        if ((s.state == State::Loading || s.state == State::Read || s.state == State::Ready) && s.unit == unit) return &s;
    return nullptr;
}

void Prefetcher::set_order(std::vector<size_t> order) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] {
        for (const Slot& s : slots_)
            if (s.state == State::Loading || s.state == State::Read) return false;
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
    if (slot->error.failed) {
        const Failure error = slot->error;
        slot->buffer->zeroize(slot->buffer->bytes());
        slot->state = State::Free;
        // The I/O thread has moved on; the caller restarts the order (set_order) after failing.
        throw sdk::Error(error.code, error.message);
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
