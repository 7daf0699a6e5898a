// veil bench: llama-bench-style throughput of a model loaded through the host and a backend plugin,
// with peak memory, bytes per token, measured bandwidths and the roofline fraction.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "bench/bench_prompt.h"
#include "bench/bench_run.h"
#include "bench/bytes_per_token.h"
#include "bench/core_latency.h"
#include "bench/disk_bandwidth.h"
#include "bench/memory_bandwidth.h"
#include "bench/memory_peak.h"
#include "bench/roofline.h"
#include "cli/cmd_bench_report.h"
#include "cli/command.h"
#include "cli/model_options.h"
#include "runtime/loaded_model.h"
#include "veil/memory_room/memory_room.h"

namespace veil::cli {

namespace {

constexpr unsigned kMemoryProbePasses = 31;  // ~5-20 ms each (256 MiB-1 GiB buffers); the median is kept
constexpr unsigned kInterleavedProbePasses = 9;  // per repetition, when probing between them
constexpr unsigned kDiskProbePasses = 3;
constexpr uint64_t kDiskProbeMaxBytes = 1ull << 30;

// One status line on stderr: rewritten in place on a terminal, one line per update otherwise.
class ProgressLine {
public:
    ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressLine() { finish(); }
    void show(const std::string& status) {
        if (tty_) {
            std::fprintf(stderr, "\r\033[K[bench] %s", status.c_str());
            drawn_ = true;
        } else {
            std::fprintf(stderr, "[bench] %s\n", status.c_str());
        }
        std::fflush(stderr);
    }
    void finish() {
        if (drawn_) std::fputs("\r\033[K", stderr);
        drawn_ = false;
    }

private:
    bool tty_;
    bool drawn_ = false;
};

uint32_t positive(const CommandLine& cl, const std::string& name, uint64_t fallback, uint64_t max) {
    const uint64_t v = cl.get_uint(name, fallback);
    if (v < 1 || v > max)
        throw UsageError("--" + name + " must be between 1 and " + std::to_string(max) + " (got " + cl.get(name) + ")");
    return static_cast<uint32_t>(v);
}

// "335544320", "320M", "320MiB", "2G": bytes, with binary K/M/G suffixes.
uint64_t parse_byte_size(const std::string& option, const std::string& text) {
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    const std::string suffix = text.substr(digits);
    uint64_t unit = 0;
    for (auto [name, factor] : {std::pair<const char*, uint64_t>{"", 1}, {"K", 1ull << 10}, {"KiB", 1ull << 10},
                                {"M", 1ull << 20}, {"MiB", 1ull << 20}, {"G", 1ull << 30}, {"GiB", 1ull << 30}})
        if (suffix == name) unit = factor;
    uint64_t v = 0;
    try {
        if (digits == 0 || digits > 15 || unit == 0) throw std::invalid_argument(text);
        v = std::stoull(text.substr(0, digits));
    } catch (const std::exception&) {
        throw UsageError("--" + option + ": '" + text + "' is not a byte count (e.g. 335544320, 320M, 2G)");
    }
    if (v == 0) throw UsageError("--" + option + " must be more than 0 bytes");
    return v * unit;
}

Poco::JSON::Object::Ptr parse_stats(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("bench", "--model PATH [--backend full|stream] [-t N] [-p N] [-n N] [-r N] "
                            "[--memory-budget BYTES] [--sessions N] [--json] [--key-file K|--key-env NAME] [--config F]",
                   "Measures prefill and decode throughput like llama-bench: a warm-up, then repetitions of a "
                   "prompt of deterministic token ids prefilled into fresh sessions and greedy decode steps; "
                   "reports mean ± sd, peak RSS, weight bytes per token, measured memory (and, for backend_stream, "
                   "model file) read bandwidth and the roofline fraction. Progress goes to stderr.");
    add_model_options(cl);
    cl.option("n-prompt", "p", "N", "prompt tokens prefilled per repetition (default 64)")
        .option("n-gen", "n", "N", "decode steps per repetition and session (default 128)")
        .option("repetitions", "r", "N", "measured repetitions after the warm-up (default 5)")
        .option("sessions", "", "N", "sessions decoding concurrently (default 1): through the backend's "
                                     "decode_batch when it has one, else one thread per session")
        .option("memory-budget", "", "BYTES", "backend_stream's memory budget (e.g. 335544320, 320M); "
                                              "needs --backend stream")
        .flag("json", "", "print one JSON object instead of the table");
    if (!cl.parse(args, std::cout)) return 0;

    ModelSelection sel = select_model_from_options(cl);
    const uint32_t prompt_tokens = positive(cl, "n-prompt", 64, 1u << 20);
    bench::BenchParams params;
    params.decode_tokens = positive(cl, "n-gen", 128, 1u << 20);
    params.repetitions = positive(cl, "repetitions", 5, 10000);
    params.sessions = positive(cl, "sessions", 1, 256);
    if (cl.has("memory-budget")) {
        if (sel.model.backend != "stream")
            throw UsageError("--memory-budget is backend_stream's budget: give --backend stream with it");
        sel.load.memory_budget = parse_byte_size("memory-budget", cl.get("memory-budget"));
    }

    ProgressLine progress;
    BenchReport report;
    std::vector<bench::MemoryBandwidth> probes;  // before each repetition and after the last, when measured there
    std::vector<double> decode_tps;              // per repetition
    std::vector<bench::CpuContention> contention;  // per repetition: CPU time its decode lost
    std::vector<std::vector<double>> step_seconds;  // per repetition: each decode step's seconds
    double tokens_per_step = 0;                     // tokens one step decodes; 0: steps overlap (threads)
    uint64_t probe_bytes = 0;                      // the bandwidth probe's buffer (probe_buffer_bytes_for)
    report.model = sel.model.path;
    report.sessions = params.sessions;
    report.prompt_tokens = prompt_tokens;
    report.decode_tokens = params.decode_tokens;
    report.repetitions = params.repetitions;
    // Every session of the run holds the prompt and the decoded tokens: the backend needs room
    // for that, not for the training context (backend_stream's minimum budget).
    sel.model.n_ctx = prompt_tokens + params.decode_tokens;
    {
        progress.show("loading " + sel.model.path);
        PluginHost plugins;
        plugins.load_all(sel.config.plugins);
        auto model = load_model(sel.config, plugins, sel.model, sel.load);
        const veil_model_info& info = model->backend->info();
        const std::vector<int32_t> prompt = bench::benchmark_prompt(*model->tokenizer, prompt_tokens);
        if (prompt.size() + params.decode_tokens > info.n_ctx_train)
            throw UsageError("-p + -n = " + std::to_string(prompt.size() + params.decode_tokens) +
                             " positions exceed the model's context of " + std::to_string(info.n_ctx_train));

        // The machine's memory bandwidth drifts by tens of percent over seconds (other tenants of
        // the host), so the roofline compares decode with bandwidth probed between its repetitions
        // — unless a memory budget is in force, where a probe buffer next to the model would break
        // it; then one probe runs after the model is unloaded.
        const auto load_stats = parse_stats(model->backend->stats_json());
        const bool probe_between = model->decision.memory_budget == 0 && !load_stats->has("budget");
        const unsigned probe_threads =
            load_stats->has("threads") ? load_stats->getValue<unsigned>("threads")
                                       : sel.load.threads.value_or(std::thread::hardware_concurrency());
        const uint64_t bytes_per_pass = bench::weight_bytes_per_token(*model->source->abi(), info.weight_bytes);
        // Sized now, with the model resident: the room left is what the probe may take.
        probe_bytes = bench::probe_buffer_bytes_for(bytes_per_pass, memory_room::read_memory_room().bytes());
        bench::PeakRssOutside rss;  // the probe buffers are not the model's memory
        bool rss_holes_ok = true;
        auto probe_between_repetitions = [&](uint32_t rep) {
            const std::string name = rep > params.repetitions ? "after rep " + std::to_string(rep - 1) : "rep " + std::to_string(rep);
            progress.show(name + ": measuring memory read bandwidth");
            rss.before();
            probes.push_back(
                bench::measure_memory_read_bandwidth(std::max(1u, probe_threads), probe_bytes, kInterleavedProbePasses));
            // Inside the RSS bracket too: the latency probe's thread stack is not the model's memory.
            const std::optional<double> core_to_core = bench::measure_core_to_core_latency_ns();
            report.core_to_core_ns.push_back(core_to_core);
            rss_holes_ok = rss.after() && rss_holes_ok;
            progress.show(fmt::format("{}: memory read bandwidth {:.1f} GB/s{}", name, probes.back().bytes_per_s / 1e9,
                                      core_to_core ? fmt::format(", cores {:.0f} ns apart", *core_to_core) : ""));
        };
        const bench::BenchRun run =
            bench::run_benchmark(*model->backend, prompt, params, [&](const std::string& s) { progress.show(s); },
                                 probe_between ? bench::BetweenRepetitions(probe_between_repetitions)
                                               : bench::BetweenRepetitions());
        if (!rss_holes_ok)
            throw std::runtime_error("cannot reset the peak RSS (/proc/self/clear_refs) to leave the bandwidth "
                                     "probes' buffers out of it");

        // Memory peaks now, before the bandwidth probes allocate their buffers.
        report.peak_rss_bytes = probe_between ? rss.peak() : bench::peak_rss_bytes();
        if (auto cg = bench::cgroup_memory_peak()) {
            report.cgroup_memory_peak_bytes = cg->bytes;
            report.cgroup_memory_peak_file = cg->file;
        }
        report.model_sha256 = model->sha256;
        report.backend = model->decision.backend;
        report.memory_budget = model->decision.memory_budget;
        report.decode_mode = bench::decode_mode_name(run.mode);
        report.prefill_tps = bench::summarize(run.prefill_tps);
        report.decode_tps = bench::summarize(run.decode_tps);
        decode_tps = run.decode_tps;
        step_seconds = run.decode_step_seconds;
        std::vector<double> all_steps;
        for (const std::vector<double>& rep : step_seconds) all_steps.insert(all_steps.end(), rep.begin(), rep.end());
        report.decode_step_median_s = bench::median(all_steps);
        report.decode_step_p99_s = bench::percentile(all_steps, 99);
        tokens_per_step = run.mode == bench::DecodeMode::DecodeBatch ? params.sessions
                          : run.mode == bench::DecodeMode::Single    ? 1
                                                                     : 0;
        contention = run.decode_contention_per_rep;
        std::vector<double> per_session(run.decode_tps);
        for (double& v : per_session) v /= params.sessions;
        report.decode_tps_per_session = bench::summarize(per_session);
        report.backend_stats_json = run.stats_json;
        const auto stats = parse_stats(run.stats_json);
        report.isa = stats->optValue<std::string>("isa", "");
        // Without --memory-budget or a policy budget, backend_stream applies its own default.
        if (report.memory_budget == 0) report.memory_budget = stats->optValue<uint64_t>("budget", 0);
        report.threads = stats->has("threads") ? stats->getValue<uint32_t>("threads")
                                               : sel.load.threads.value_or(std::thread::hardware_concurrency());
        report.weight_bytes = info.weight_bytes;
        // A decode_batch step reads the weights once for every session.
        const double passes_per_token = run.mode == bench::DecodeMode::DecodeBatch ? 1.0 / params.sessions : 1.0;
        report.bytes_per_token = static_cast<double>(bytes_per_pass) * passes_per_token;
        const uint64_t llc = bench::last_level_cache_bytes();
        report.weights_fit_in_cache = llc != 0 && bytes_per_pass <= llc;
        report.decode_seconds = run.decode_seconds;
        bench::CpuContention lost;
        for (const bench::CpuContention& c : run.decode_contention_per_rep) lost += c;
        report.decode_cpu_wait_s = lost.wait_s;
        report.decode_cpu_steal_s = lost.steal_s;
        report.cpus = std::thread::hardware_concurrency();
        if (run.decode_bytes_read && run.decoded_tokens)
            report.streamed_bytes_per_token =
                static_cast<double>(*run.decode_bytes_read) / static_cast<double>(run.decoded_tokens);
    }  // model unloaded: the probes below neither compete with it for memory nor find its file cached

    bench::MemoryBandwidth mem;
    if (!probes.empty()) {
        mem = bench::combine_probes(probes);
        report.read_bandwidth_when = "around the repetitions";
    } else {
        progress.show("measuring memory read bandwidth");
        // Inside a memory budget (and a cgroup of that size, whose peak is read from outside after
        // we exit) the probe must stay well below the run's own peak: half the budget (at 320 MiB,
        // still 5x a 32 MiB LLC). With 3/4, a 320 MiB cgroup's peak rose from 302 MiB during the
        // run to its limit during the probe (the host's memory and page cache come on top of it).
        if (report.memory_budget)
            probe_bytes = std::max<uint64_t>(1u << 20, std::min(probe_bytes, report.memory_budget / 2));
        mem = bench::measure_memory_read_bandwidth(std::max(1u, report.threads), probe_bytes, kMemoryProbePasses);
        report.read_bandwidth_when = "after the run";
    }
    report.read_bandwidth = mem.bytes_per_s;
    report.read_bandwidth_best = mem.best_bytes_per_s;
    report.read_bandwidth_threads = mem.threads;
    report.read_bandwidth_buffer_bytes = mem.buffer_bytes;
    bench::RooflineInputs roof;
    roof.decode_tps = report.decode_tps.mean;
    roof.memory_bytes_per_token = report.bytes_per_token;
    roof.memory_bandwidth = mem.bytes_per_s;
    if (report.backend == "backend_stream") {
        progress.show("measuring read bandwidth of " + sel.model.path);
        const bench::DiskBandwidth disk =
            bench::measure_file_read_bandwidth(sel.model.path, kDiskProbeMaxBytes, kDiskProbePasses);
        report.disk_read_bandwidth = disk.bytes_per_s;
        report.disk_read_method = disk.method;
        roof.storage_bytes_per_token = report.streamed_bytes_per_token;
        roof.storage_bandwidth = disk.bytes_per_s;
    }
    bench::Roofline r = bench::roofline(roof);
    if (!probes.empty() && !roof.storage_bytes_per_token) {
        std::vector<double> probe_bw;
        for (const bench::MemoryBandwidth& p : probes) probe_bw.push_back(p.bytes_per_s);
        const bench::PairedRooflines paired = bench::paired_rooflines(decode_tps, probe_bw, report.bytes_per_token);
        r = paired.median;
        std::vector<double> median_step_rooflines;
        for (size_t i = 0; i < decode_tps.size(); ++i) {
            BenchReport::Repetition rep;
            rep.decode_tps = decode_tps[i];
            rep.read_bandwidth = paired.bandwidth[i];
            rep.roofline = paired.repetitions[i].fraction;
            rep.cpu_wait_s = contention[i].wait_s;
            rep.cpu_steal_s = contention[i].steal_s;
            rep.step_median_s = bench::median(step_seconds[i]);
            rep.step_p99_s = bench::percentile(step_seconds[i], 99);
            if (tokens_per_step > 0 && rep.step_median_s > 0) {
                rep.roofline_median_step = tokens_per_step / rep.step_median_s / paired.repetitions[i].max_tps;
                median_step_rooflines.push_back(*rep.roofline_median_step);
            }
            report.per_repetition.push_back(rep);
        }
        if (!median_step_rooflines.empty()) report.roofline_median_step = bench::median(median_step_rooflines);
    }
    report.roofline = r.fraction;
    report.roofline_max_tps = r.max_tps;
    report.roofline_bound = r.bound;
    progress.finish();

    if (cl.has("json"))
        print_bench_json(report, std::cout);
    else
        print_bench_table(report, std::cout);
    return 0;
}

}  // namespace

Command bench_command() { return {"bench", "measure prefill/decode throughput, memory and roofline of a model", run}; }

}  // namespace veil::cli
