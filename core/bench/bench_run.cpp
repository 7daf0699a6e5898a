#include "bench/bench_run.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>

#include <unistd.h>

#include "runtime/sampler.h"

namespace veil::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::optional<uint64_t> bytes_read(const BackendModel& model) {
    auto obj = Poco::JSON::Parser().parse(model.stats_json()).extract<Poco::JSON::Object::Ptr>();
    if (!obj || !obj->has("bytes_read")) return std::nullopt;
    return obj->getValue<uint64_t>("bytes_read");
}

struct Sessions {
    std::vector<std::unique_ptr<BackendSession>> owned;
    std::vector<BackendSession*> raw;
    std::vector<int32_t> next;  // each session's next input token
};

// Prefills every session with the prompt (one after the other) and returns the seconds taken.
double prefill(BackendModel& model, Sessions& s, std::span<const int32_t> prompt, std::vector<float>& logits) {
    const uint32_t n_vocab = model.info().n_vocab;
    const auto t0 = Clock::now();
    for (size_t i = 0; i < s.raw.size(); ++i) {
        s.raw[i]->eval(prompt, logits.data());
        s.next[i] = argmax({logits.data(), n_vocab});
    }
    return seconds_since(t0);
}

// `steps` greedy decode steps for every session; returns the seconds taken. Each step's own
// seconds go to `step_seconds`: one entry per decode_batch call (every session's token) or per
// session's eval; with one thread per session, each session's steps as that session saw them.
double decode(BackendModel& model, Sessions& s, DecodeMode mode, uint32_t steps, std::vector<float>& logits,
              std::vector<double>& step_seconds) {
    const uint32_t n_vocab = model.info().n_vocab;
    const auto t0 = Clock::now();
    if (mode == DecodeMode::DecodeBatch) {
        for (uint32_t k = 0; k < steps; ++k) {
            const auto step0 = Clock::now();
            model.decode_batch(s.raw, s.next, logits.data());
            for (size_t i = 0; i < s.raw.size(); ++i) s.next[i] = argmax({logits.data() + i * n_vocab, n_vocab});
            step_seconds.push_back(seconds_since(step0));
        }
        return seconds_since(t0);
    }
    // Each session's step times in its own vector (threads must not share one), merged at the end.
    std::vector<std::vector<double>> per_session(s.raw.size());
    auto one = [&](size_t i) {
        float* row = logits.data() + i * n_vocab;
        per_session[i].reserve(steps);
        for (uint32_t k = 0; k < steps; ++k) {
            const auto step0 = Clock::now();
            s.raw[i]->eval(std::span<const int32_t>(&s.next[i], 1), row);
            s.next[i] = argmax({row, n_vocab});
            per_session[i].push_back(seconds_since(step0));
        }
    };
    auto merge_steps = [&] {
        for (const std::vector<double>& v : per_session) step_seconds.insert(step_seconds.end(), v.begin(), v.end());
    };
    if (mode == DecodeMode::Single) {
        one(0);
        const double t = seconds_since(t0);
        merge_steps();
        return t;
    }
    std::vector<std::exception_ptr> errors(s.raw.size());
    {
        std::vector<std::jthread> threads;
        for (size_t i = 0; i < s.raw.size(); ++i)
            threads.emplace_back([&, i] {
                try {
                    one(i);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            });
    }
    const double t = seconds_since(t0);
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
    merge_steps();
    return t;
}

}  // namespace

const char* decode_mode_name(DecodeMode m) {
    switch (m) {
        case DecodeMode::Single: return "single";
        case DecodeMode::DecodeBatch: return "decode_batch";
        case DecodeMode::Threads: return "threads";
    }
    return "?";
}

BenchRun run_benchmark(BackendModel& model, std::span<const int32_t> prompt, const BenchParams& params,
                       const BenchProgress& progress, const BetweenRepetitions& between) {
    if (prompt.empty()) throw std::invalid_argument("bench: the prompt is empty");
    if (params.repetitions == 0 || params.sessions == 0 || params.decode_tokens == 0)
        throw std::invalid_argument("bench: repetitions, sessions and decode tokens must be at least 1");
    BenchRun run;
    run.mode = params.sessions == 1      ? DecodeMode::Single
               : model.has_decode_batch() ? DecodeMode::DecodeBatch
                                          : DecodeMode::Threads;
    const auto n_ctx = static_cast<uint32_t>(prompt.size() + params.decode_tokens);
    std::vector<float> logits(static_cast<size_t>(params.sessions) * model.info().n_vocab);
    auto report = [&](const std::string& s) {
        if (progress) progress(s);
    };

    // Repetition 0 is the warm-up (page faults, thread-pool start, caches); it is not recorded.
    run.decode_bytes_read = bytes_read(model) ? std::optional<uint64_t>(0) : std::nullopt;
    for (uint32_t rep = 0; rep <= params.repetitions; ++rep) {
        const std::string name = rep == 0 ? "warm-up" : "rep " + std::to_string(rep) + "/" +
                                                            std::to_string(params.repetitions);
        if (rep > 0 && between) between(rep);
        Sessions s;
        for (uint32_t i = 0; i < params.sessions; ++i) {
            s.owned.push_back(model.new_session(n_ctx));
            s.raw.push_back(s.owned.back().get());
        }
        s.next.resize(params.sessions);
        report(name + ": prefill");
        const double prefill_s = prefill(model, s, prompt, logits);
        report(name + ": decode");
        const auto read_before = bytes_read(model);
        const CpuCounters cpu_before = read_cpu_counters();
        std::vector<double> step_seconds;
        step_seconds.reserve(static_cast<size_t>(params.decode_tokens) * params.sessions);
        const double decode_s = decode(model, s, run.mode, params.decode_tokens, logits, step_seconds);
        const CpuCounters cpu_after = read_cpu_counters();
        const auto read_after = bytes_read(model);
        if (rep == 0) continue;
        run.decode_contention_per_rep.push_back(contention_between(cpu_before, cpu_after, ::sysconf(_SC_CLK_TCK)));
        const double tokens = static_cast<double>(params.decode_tokens) * params.sessions;
        run.prefill_tps.push_back(prefill_s > 0 ? static_cast<double>(prompt.size()) * params.sessions / prefill_s : 0);
        run.decode_tps.push_back(decode_s > 0 ? tokens / decode_s : 0);
        run.decode_step_seconds.push_back(std::move(step_seconds));
        run.decoded_tokens += static_cast<uint64_t>(tokens);
        run.decode_seconds += decode_s;
        if (run.decode_bytes_read && read_before && read_after) *run.decode_bytes_read += *read_after - *read_before;
        report(name + ": prefill " + std::to_string(static_cast<int>(run.prefill_tps.back())) + " tok/s, decode " +
               std::to_string(static_cast<int>(run.decode_tps.back())) + " tok/s");
    }
    if (between) between(params.repetitions + 1);
    run.stats_json = model.stats_json();
    return run;
}

}  // namespace veil::bench
