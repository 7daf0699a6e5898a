// The timed part of `veil bench`: a warm-up, then repetitions of prefill into fresh sessions and
// greedy decode, on a model already loaded through the host.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/cpu_contention.h"
#include "runtime/backend_model.h"

namespace veil::bench {

struct BenchParams {
    uint32_t decode_tokens = 128;  // decode steps per session and repetition
    uint32_t repetitions = 5;
    uint32_t sessions = 1;         // sessions decoding concurrently
};

// How concurrent sessions were decoded.
enum class DecodeMode {
    Single,       // one session, eval per token
    DecodeBatch,  // the backend's decode_batch: one call decodes a token for every session
    Threads,      // no decode_batch: one thread per session, each calling eval
};
const char* decode_mode_name(DecodeMode m);

struct BenchRun {
    DecodeMode mode = DecodeMode::Single;
    std::vector<double> prefill_tps;  // per repetition: prompt tokens of all sessions / prefill time
    std::vector<double> decode_tps;   // per repetition: tokens of all sessions / decode time
    // Per repetition, the seconds of each decode step: of each decode_batch call (Single: each
    // eval; Threads: each session's evals, session after session). Their median and tail are the
    // inter-token latency, which the mean rate hides: a VM's rare stalls (host steal) lengthen a
    // few steps by tens of milliseconds.
    std::vector<std::vector<double>> decode_step_seconds;
    uint64_t decoded_tokens = 0;      // over every repetition and session
    double decode_seconds = 0;        // over every repetition
    // Sum over the repetitions' decode phases of the backend's stats "bytes_read" (weights read
    // from storage), when its stats report that counter.
    std::optional<uint64_t> decode_bytes_read;
    std::vector<CpuContention> decode_contention_per_rep;  // CPU time each repetition's decode lost to other work
    std::string stats_json;           // the backend's counters after the last repetition
};

// Called with a short status ("rep 2/5 decode") as the run goes.
using BenchProgress = std::function<void(const std::string& status)>;
// Called before each measured repetition (rep = 1 .. repetitions; not before the warm-up) and once
// after the last (rep = repetitions + 1), outside every timed phase: where `veil bench` measures
// memory bandwidth, so that every repetition's decode lies between two probes of the machine.
using BetweenRepetitions = std::function<void(uint32_t rep)>;

// Every repetition creates params.sessions fresh sessions of prompt.size() + decode_tokens
// positions. Throws std::invalid_argument for zero repetitions/sessions/decode tokens or an empty
// prompt; backend errors propagate as thrown by BackendModel.
BenchRun run_benchmark(BackendModel& model, std::span<const int32_t> prompt, const BenchParams& params,
                       const BenchProgress& progress, const BetweenRepetitions& between = {});

}  // namespace veil::bench
