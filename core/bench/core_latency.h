// One-way latency of a cache line between two threads' cores: tells where the machine placed them.
//
// On the project's 2-vCPU Zen 4 VM the hypervisor moves the two vCPUs between one die (a line
// crosses in ~25 ns; both cores share that die's link to memory, ~34 GB/s) and two dies (~170 ns;
// each die brings its own link, ~60 GB/s), every few seconds to minutes. The placement sets both
// the memory bandwidth and what every cross-thread hand-off of a parallel region costs, so
// `veil bench` measures it beside each bandwidth probe.
#pragma once

#include <chrono>
#include <optional>

namespace veil::bench {

// Two threads (the caller and one it starts) pass a cache line back and forth `round_trips`
// times; the result is the median, over five batches, of a batch's time / (2 x its round trips),
// in nanoseconds. Neither thread is pinned: they run where the scheduler puts two busy threads.
// nullopt when the machine has one CPU (the threads would take turns on it) or when `budget` runs
// out first (another process holds a CPU): the latency then says nothing about the placement.
// round_trips >= 5 (std::invalid_argument otherwise).
std::optional<double> measure_core_to_core_latency_ns(
    unsigned round_trips = 20000, std::chrono::milliseconds budget = std::chrono::milliseconds(200));

}  // namespace veil::bench
