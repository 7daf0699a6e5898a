#include "cli/cmd_bench_report.h"

#include <fmt/format.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include "policy/policy.h"

namespace veil::cli {
namespace {

Poco::JSON::Object summary_json(const bench::Summary& s) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("mean", s.mean);
    o.set("sd", s.sd);
    return o;
}

template <class T>
Poco::Dynamic::Var optional_json(const std::optional<T>& v) {
    return v ? Poco::Dynamic::Var(*v) : Poco::Dynamic::Var();
}

std::string gb_per_s(double bytes_per_s) { return fmt::format("{:.2f} GB/s", bytes_per_s / 1e9); }

}  // namespace

void print_bench_table(const BenchReport& r, std::ostream& out) {
    const std::string test_pp = "pp" + std::to_string(r.prompt_tokens);
    const std::string test_tg = "tg" + std::to_string(r.decode_tokens);
    out << fmt::format("{:<16} {:>7} {:>8} {:>8} {:>8} {:>20}\n", "backend", "threads", "isa", "sessions", "test",
                       "t/s");
    out << fmt::format("{:<16} {:>7} {:>8} {:>8} {:>8} {:>20}\n", r.backend, r.threads, r.isa, r.sessions, test_pp,
                       fmt::format("{:.2f} ± {:.2f}", r.prefill_tps.mean, r.prefill_tps.sd));
    out << fmt::format("{:<16} {:>7} {:>8} {:>8} {:>8} {:>20}\n", r.backend, r.threads, r.isa, r.sessions, test_tg,
                       fmt::format("{:.2f} ± {:.2f}", r.decode_tps.mean, r.decode_tps.sd));
    out << '\n';
    out << "model:            " << r.model << "\n";
    out << "sha256:           " << r.model_sha256 << "\n";
    out << fmt::format("repetitions:      {} (after a warm-up), decode mode {}\n", r.repetitions, r.decode_mode);
    if (r.sessions > 1)
        out << fmt::format("per session:      {:.2f} ± {:.2f} tok/s decode\n", r.decode_tps_per_session.mean,
                           r.decode_tps_per_session.sd);
    if (r.memory_budget) out << "memory budget:    " << human_bytes(r.memory_budget) << "\n";
    out << "peak RSS:         " << human_bytes(r.peak_rss_bytes) << " (VmHWM)\n";
    if (r.cgroup_memory_peak_bytes)
        out << "cgroup peak:      " << human_bytes(*r.cgroup_memory_peak_bytes) << " (" << r.cgroup_memory_peak_file
            << ")\n";
    out << fmt::format("bytes/token:      {} of weights read from RAM (weights {}, embedding table excluded)\n",
                       human_bytes(static_cast<uint64_t>(r.bytes_per_token)), human_bytes(r.weight_bytes));
    if (r.streamed_bytes_per_token)
        out << "streamed/token:   " << human_bytes(static_cast<uint64_t>(*r.streamed_bytes_per_token))
            << " read from the model file\n";
    out << fmt::format("memory read bw:   {} ({} threads, {} buffer, median pass {}; best {})\n",
                       gb_per_s(r.read_bandwidth), r.read_bandwidth_threads, human_bytes(r.read_bandwidth_buffer_bytes),
                       r.read_bandwidth_when, gb_per_s(r.read_bandwidth_best));
    if (!r.core_to_core_ns.empty()) {
        out << "core to core:     ";
        for (const std::optional<double>& ns : r.core_to_core_ns)
            out << (ns ? fmt::format("{:.0f}", *ns) : std::string("?")) << (&ns == &r.core_to_core_ns.back() ? "" : ", ");
        out << " ns one-way between two threads, at each probe (where the threads' cores sit: far apart "
               "costs every hand-off of a parallel region)\n";
    }
    if (r.disk_read_bandwidth)
        out << fmt::format("model file bw:    {} ({})\n", gb_per_s(*r.disk_read_bandwidth), r.disk_read_method);
    out << fmt::format("roofline:         {:.3f} of {:.2f} tok/s ({}-bound)\n", r.roofline, r.roofline_max_tps,
                       r.roofline_bound);
    if (!r.per_repetition.empty()) {
        out << "                  (median of the repetitions, each decode against the bandwidth probed before and after it:";
        for (const BenchReport::Repetition& rep : r.per_repetition)
            out << fmt::format(" {:.3f} at {:.1f} GB/s", rep.roofline, rep.read_bandwidth / 1e9)
                << (&rep == &r.per_repetition.back() ? ")\n" : ",");
    }
    if (r.weights_fit_in_cache)
        out << "                  (the weights fit in the CPU's last-level cache: DRAM bandwidth is no limit here)\n";
    out << fmt::format("decode step:      median {:.2f} ms, p99 {:.2f} ms", r.decode_step_median_s * 1e3,
                       r.decode_step_p99_s * 1e3);
    if (r.roofline_median_step)
        out << fmt::format("; the median step runs at {:.3f} of the roofline", *r.roofline_median_step);
    out << "\n";
    if (r.decode_cpu_wait_s || r.decode_cpu_steal_s) {
        // Shares of the time the threads (cpus) had during decode: what the run lost to other work.
        auto share = [&](double lost, unsigned n) { return n && r.decode_seconds > 0 ? 100 * lost / (n * r.decode_seconds) : 0.0; };
        out << "cpu lost:         decode";
        if (r.decode_cpu_wait_s)
            out << fmt::format(" waited {:.0f} ms for a cpu ({:.2f}% of {} threads' time)", *r.decode_cpu_wait_s * 1e3,
                               share(*r.decode_cpu_wait_s, r.threads), r.threads);
        if (r.decode_cpu_wait_s && r.decode_cpu_steal_s) out << ";";
        if (r.decode_cpu_steal_s)
            out << fmt::format(" host steal {:.0f} ms ({:.2f}% of {} cpus' time)", *r.decode_cpu_steal_s * 1e3,
                               share(*r.decode_cpu_steal_s, r.cpus), r.cpus);
        out << "\n";
    }
    out << "backend stats:    " << r.backend_stats_json << "\n";
}

void print_bench_json(const BenchReport& r, std::ostream& out) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("model", r.model);
    o.set("model_sha256", r.model_sha256);
    o.set("backend", r.backend);
    o.set("isa", r.isa);
    o.set("threads", r.threads);
    o.set("sessions", r.sessions);
    o.set("decode_mode", r.decode_mode);
    o.set("prompt_tokens", r.prompt_tokens);
    o.set("decode_tokens", r.decode_tokens);
    o.set("repetitions", r.repetitions);
    o.set("memory_budget", r.memory_budget ? Poco::Dynamic::Var(r.memory_budget) : Poco::Dynamic::Var());
    o.set("prefill_tps", summary_json(r.prefill_tps));
    o.set("decode_tps", summary_json(r.decode_tps));
    o.set("decode_tps_per_session", summary_json(r.decode_tps_per_session));
    o.set("peak_rss_bytes", r.peak_rss_bytes);
    o.set("cgroup_memory_peak_bytes", optional_json(r.cgroup_memory_peak_bytes));
    o.set("weight_bytes", r.weight_bytes);
    o.set("bytes_per_token", r.bytes_per_token);
    o.set("streamed_bytes_per_token", optional_json(r.streamed_bytes_per_token));
    o.set("read_bandwidth_bytes_per_s", r.read_bandwidth);
    o.set("read_bandwidth_best_bytes_per_s", r.read_bandwidth_best);
    o.set("read_bandwidth_measured", r.read_bandwidth_when);
    o.set("read_bandwidth_buffer_bytes", r.read_bandwidth_buffer_bytes);
    Poco::JSON::Array core_to_core;
    for (const std::optional<double>& ns : r.core_to_core_ns) core_to_core.add(optional_json(ns));
    o.set("core_to_core_latency_ns", core_to_core);
    o.set("disk_read_bandwidth_bytes_per_s", optional_json(r.disk_read_bandwidth));
    o.set("disk_read_method", r.disk_read_bandwidth ? Poco::Dynamic::Var(r.disk_read_method) : Poco::Dynamic::Var());
    o.set("roofline", r.roofline);
    o.set("roofline_max_tps", r.roofline_max_tps);
    o.set("roofline_bound", r.roofline_bound);
    Poco::JSON::Array reps;
    for (const BenchReport::Repetition& rep : r.per_repetition) {
        Poco::JSON::Object e(Poco::JSON_PRESERVE_KEY_ORDER);
        e.set("decode_tps", rep.decode_tps);
        e.set("read_bandwidth_bytes_per_s", rep.read_bandwidth);
        e.set("roofline", rep.roofline);
        e.set("cpu_wait_s", optional_json(rep.cpu_wait_s));
        e.set("cpu_steal_s", optional_json(rep.cpu_steal_s));
        e.set("step_median_s", rep.step_median_s);
        e.set("step_p99_s", rep.step_p99_s);
        e.set("roofline_median_step", optional_json(rep.roofline_median_step));
        reps.add(e);
    }
    o.set("per_repetition", reps);
    Poco::JSON::Object steps(Poco::JSON_PRESERVE_KEY_ORDER);
    steps.set("median", r.decode_step_median_s);
    steps.set("p99", r.decode_step_p99_s);
    o.set("decode_step_s", steps);
    o.set("roofline_median_step", optional_json(r.roofline_median_step));
    o.set("weights_fit_in_cache", r.weights_fit_in_cache);
    o.set("decode_seconds", r.decode_seconds);
    o.set("decode_cpu_wait_s", optional_json(r.decode_cpu_wait_s));
    o.set("decode_cpu_steal_s", optional_json(r.decode_cpu_steal_s));
    o.set("backend_stats", Poco::JSON::Parser().parse(r.backend_stats_json));
    Poco::JSON::Stringifier::stringify(o, out);
    out << '\n';
}

}  // namespace veil::cli
