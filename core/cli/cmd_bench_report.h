// What `veil bench` measured, and its two renderings: a llama-bench-like table and JSON with
// stable keys.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "bench/summary.h"

namespace veil::cli {

struct BenchReport {
    std::string model;         // the path given
    std::string model_sha256;
    std::string backend;       // "backend_full"
    std::string isa;           // from the backend's stats; "" when it does not say
    uint32_t threads = 0;
    uint32_t sessions = 1;
    std::string decode_mode;   // "single", "decode_batch" or "threads"
    uint32_t prompt_tokens = 0, decode_tokens = 0, repetitions = 0;
    uint64_t memory_budget = 0;  // backend_stream's budget; 0 = none given

    bench::Summary prefill_tps, decode_tps, decode_tps_per_session;

    uint64_t peak_rss_bytes = 0;
    std::optional<uint64_t> cgroup_memory_peak_bytes;
    std::string cgroup_memory_peak_file;

    uint64_t weight_bytes = 0;                     // model_info.weight_bytes
    double bytes_per_token = 0;                    // weight bytes read from RAM per decoded token
    std::optional<double> streamed_bytes_per_token;  // from the stats' bytes_read (backend_stream)

    double read_bandwidth = 0;       // memory, bytes/s, median pass (the roofline's denominator)
    double read_bandwidth_best = 0;  // memory, bytes/s, best pass
    std::string read_bandwidth_when;  // "around the repetitions" (before each, after the last) or "after the run"
    unsigned read_bandwidth_threads = 0;
    uint64_t read_bandwidth_buffer_bytes = 0;
    // At each bandwidth probe around the repetitions (before each, after the last; empty without
    // them): the one-way hand-off between two threads' cores (bench/core_latency.h), nanoseconds;
    // nullopt where it could not be measured. Says where the machine placed the threads then.
    std::vector<std::optional<double>> core_to_core_ns;
    std::optional<double> disk_read_bandwidth;  // model file, bytes/s (backend_stream)
    std::string disk_read_method;

    // With bandwidth probed around every repetition: the median of the repetitions' rooflines,
    // each repetition's decode against the mean of the probes before and after it (per_repetition).
    // Otherwise the mean decode against the one probe.
    double roofline = 0;
    double roofline_max_tps = 0;
    std::string roofline_bound;
    struct Repetition {
        double decode_tps = 0;
        double read_bandwidth = 0;  // bytes/s, around this repetition
        double roofline = 0;
        std::optional<double> cpu_wait_s, cpu_steal_s;  // what this repetition's decode lost (see below)
        double step_median_s = 0, step_p99_s = 0;       // its decode steps (see below)
        std::optional<double> roofline_median_step;     // its median step's rate against its probes
    };
    std::vector<Repetition> per_repetition;
    // One pass over the weights fits in the last-level cache: decode need not touch DRAM, so the
    // roofline against DRAM bandwidth can exceed 1 and says little.
    bool weights_fit_in_cache = false;

    // Decode steps (bench_run.h's decode_step_seconds) over every repetition: the inter-token
    // latency's median and 99th percentile. The roofline at the median step is the median, over
    // the repetitions, of each one's median-step rate (tokens per step / median step seconds)
    // against its probes: what decode reaches on the steps nothing outside the process stalled.
    // Reported beside `roofline`, never instead of it; absent with one thread per session (steps
    // overlap) and without probes around the repetitions.
    double decode_step_median_s = 0, decode_step_p99_s = 0;
    std::optional<double> roofline_median_step;

    // CPU time the decode phases lost to other work (bench/cpu_contention.h), over decode_seconds
    // of decode: summed over this process's threads (wait) and over the machine's cpus (steal).
    double decode_seconds = 0;
    std::optional<double> decode_cpu_wait_s, decode_cpu_steal_s;
    unsigned cpus = 0;

    std::string backend_stats_json = "{}";
};

void print_bench_table(const BenchReport& r, std::ostream& out);
void print_bench_json(const BenchReport& r, std::ostream& out);

}  // namespace veil::cli
