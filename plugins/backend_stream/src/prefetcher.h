// The streaming window: a fixed set of weight buffers (slots) and an I/O thread that fills them
// with the streamed units in pass order, running ahead of the compute thread by as many units as
// there are free slots; a helper thread reads half of each unit's tensors, so two reads are in
// flight (a single synchronous reader leaves the device idle between requests). Two grouping
// threads then rewrite each read unit, tensor by tensor, into its 16-row groups
// (WeightBuffer::regroup) while the readers already read the next one: reads are the bottleneck
// of a streamed pass, so regrouping on a reading thread delayed every later read, and one
// grouping thread alone was slower than the reads (engine::group_rows packs about 1 GB/s). The
// compute thread acquires units in the same cyclic order and releases each one when done;
// release zeroizes the slot before the I/O thread reuses it. After the last unit of a pass the
// I/O thread wraps around and reads the first units of the next pass.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "veil/plugin.hpp"
#include "weight_buffer.h"
#include "weight_units.h"

namespace veil::backend_stream {

struct PrefetchCounters {
    uint64_t read_ns = 0;         // wall time of the window's unit reads
    uint64_t read_bytes = 0;      // bytes they read
    uint64_t stall_ns = 0;        // compute thread waiting for a unit
    uint64_t units_acquired = 0;
    uint64_t units_ready = 0;     // already read when acquired (fully overlapped with compute)
};

class Prefetcher {
public:
    // `slots` buffers of `slot_bytes` each (the caller has charged them to the budget).
    Prefetcher(const veil_model_source& source, const std::vector<WeightUnit>& units, size_t n_slots, size_t slot_bytes,
               WeightIoCounters& io, const sdk::Host& host);
    ~Prefetcher();  // stops the threads, zeroizes every slot
    Prefetcher(const Prefetcher&) = delete;
    Prefetcher& operator=(const Prefetcher&) = delete;

    // The units to stream (indices into `units`, in pass order); waits for a read or regrouping in flight,
    // zeroizes read-ahead slots and restarts at order[0]. No unit may be acquired.
    void set_order(std::vector<size_t> order);
    const std::vector<size_t>& order() const { return order_; }

    // The buffer holding unit `unit`, which must be the next in the order; waits for the read.
    // Throws sdk::Error(VEIL_ERR_IO) when the read failed (call set_order(order()) to restart).
    const uint8_t* acquire(size_t unit);
    // Done with `unit`: zeroizes its slot and hands it back to the I/O thread.
    void release(size_t unit);

    PrefetchCounters counters() const;
    size_t n_slots() const { return slots_.size(); }

private:
    static constexpr int kGroupingThreads = 2;
    // Free -> Loading (I/O and helper threads) -> Read (grouping threads) -> Ready -> InUse -> Free.
    enum class State { Free, Loading, Read, Ready, InUse };
    // Why a unit's read or regrouping failed, for acquire() to throw on the compute thread: the
    // thrower's code where it had one (corrupt weights are VEIL_ERR_INVALID_ARGUMENT, not I/O).
    struct Failure {
        bool failed = false;
        veil_error_code code = VEIL_ERR_IO;
        std::string message;
    };
    // Runs f, returning what it threw as a Failure.
    template <class F>
    static Failure capture(F&& f) {
        try {
            f();
            return {};
        } catch (const sdk::Error& e) {
            return {true, e.code(), e.what()};
        } catch (const std::exception& e) {
            return {true, VEIL_ERR_IO, e.what()};
        }
    }
    struct Slot {
        std::unique_ptr<WeightBuffer> buffer;
        State state = State::Free;
        size_t unit = 0;
        uint64_t seq = 0;  // when the I/O thread took it: the grouping threads take the oldest first
        size_t extents_taken = 0, extents_grouped = 0;  // by the grouping threads (State::Read)
        Failure error;
    };
    void io_loop();
    void helper_loop();
    void group_loop();
    // Reads `unit` into `buffer`, the second half of its extents on the helper thread.
    void read_unit(const WeightUnit& unit, WeightBuffer& buffer);
    Slot* find(size_t unit);

    const veil_model_source& source_;
    const std::vector<WeightUnit>& units_;
    sdk::Host host_;
    std::vector<Slot> slots_;
    std::vector<size_t> order_;
    size_t cursor_ = 0;   // next position in order_ the I/O thread reads
    size_t consumed_ = 0; // next position in order_ the compute thread acquires
    uint64_t next_seq_ = 0;
    bool stop_ = false;
    bool helper_stop_ = false;
    PrefetchCounters counters_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::thread io_;
    // The helper's job: extents [helper_first_, end) of helper_unit_ into helper_buffer_.
    const WeightUnit* helper_unit_ = nullptr;
    WeightBuffer* helper_buffer_ = nullptr;
    size_t helper_first_ = 0;
    Failure helper_error_;
    std::thread helper_;
    std::vector<std::thread> groupers_;
};

}  // namespace veil::backend_stream
