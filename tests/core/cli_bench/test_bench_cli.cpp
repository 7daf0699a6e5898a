// `veil bench` through the real binary on stories260K: the JSON's keys and values, the table, and
// the errors for bad flags.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "../gguf/gguf_test_util.h"

namespace veil {
namespace {

struct CliRun {
    int code = -1;
    std::string out;  // stdout (and stderr when asked)
};

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

CliRun bench(const std::string& args, bool with_stderr = true) {
    const std::string cmd = quote(VEIL_BINARY) + " bench " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
    CliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

const std::string kStories = test::testdata("models/stories260K.gguf");
// Small enough to keep the test fast under the sanitizers; the bandwidth probes dominate.
const std::string kSmallRun = "--model " + quote(kStories) + " -t 2 -p 16 -n 16 -r 2 --json";

Poco::JSON::Object::Ptr parse(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

TEST(BenchCli, JsonHasStableKeysWithSaneValues) {
    CliRun r = bench(kSmallRun, false);
    ASSERT_EQ(r.code, 0) << r.out;
    auto o = parse(r.out);
    for (const char* key : {"prefill_tps", "decode_tps", "decode_tps_per_session"}) {
        auto s = o->getObject(key);
        ASSERT_TRUE(s) << key;
        EXPECT_GT(s->getValue<double>("mean"), 0) << key;
        EXPECT_GE(s->getValue<double>("sd"), 0) << key;
    }
    EXPECT_GT(o->getValue<uint64_t>("peak_rss_bytes"), 1u << 20);
    const double bw = o->getValue<double>("read_bandwidth_bytes_per_s");
    EXPECT_GT(bw, 0.2e9);
    EXPECT_LT(bw, 2e12);
    EXPECT_GE(o->getValue<double>("read_bandwidth_best_bytes_per_s"), bw);  // bw is the median pass
    // backend_full has no memory budget: the probes ran around the repetitions, and their buffer
    // (hundreds of MiB) is left out of the peak RSS of a ~1 MiB model.
    EXPECT_EQ(o->getValue<std::string>("read_bandwidth_measured"), "around the repetitions");
    // One core-to-core latency per probe (before each repetition, after the last), in nanoseconds
    // or null where it could not be measured.
    auto core_to_core = o->getArray("core_to_core_latency_ns");
    ASSERT_TRUE(core_to_core);
    EXPECT_EQ(core_to_core->size(), o->getValue<size_t>("repetitions") + 1);
    for (size_t i = 0; i < core_to_core->size(); ++i) {
        if (core_to_core->isNull(static_cast<unsigned>(i))) continue;
        const double ns = core_to_core->getElement<double>(static_cast<unsigned>(i));
        EXPECT_GT(ns, 0) << i;
        EXPECT_LT(ns, 1e6) << i;
    }
#ifndef __SANITIZE_ADDRESS__  // ASan's shadow and quarantine alone reach ~120 MiB of RSS
    EXPECT_LT(o->getValue<uint64_t>("peak_rss_bytes"), o->getValue<uint64_t>("read_bandwidth_buffer_bytes"));
#endif
    // stories260K: token_embd and output are separate, so one embedding row is read, not the table.
    const uint64_t weights = o->getValue<uint64_t>("weight_bytes");
    const double per_token = o->getValue<double>("bytes_per_token");
    EXPECT_GT(per_token, 0);
    EXPECT_LT(per_token, static_cast<double>(weights));
    // Each repetition's roofline = its decode tok/s x bytes per token / the bandwidth probed
    // around it; the run's roofline is their median (two repetitions: the mean of both). The
    // repetitions' decode rates are the ones decode_tps summarizes. stories260K (1 MiB) sits in
    // the CPU cache, so it may beat DRAM bandwidth a little, which the report must then say.
    const double roofline = o->getValue<double>("roofline");
    auto reps = o->getArray("per_repetition");
    ASSERT_TRUE(reps);
    ASSERT_EQ(reps->size(), 2u);
    double decode_sum = 0, roofline_sum = 0, steal_sum = 0, median_step_sum = 0, slowest_step = 0;
    for (size_t i = 0; i < reps->size(); ++i) {
        auto rep = reps->getObject(static_cast<unsigned>(i));
        const double decode = rep->getValue<double>("decode_tps"), rep_bw = rep->getValue<double>("read_bandwidth_bytes_per_s");
        EXPECT_GT(rep_bw, 0.2e9);
        EXPECT_NEAR(rep->getValue<double>("roofline"), decode * per_token / rep_bw, 1e-9 * decode * per_token / rep_bw);
        EXPECT_FALSE(rep->isNull("cpu_steal_s"));  // per repetition, summing to decode_cpu_steal_s
        steal_sum += rep->getValue<double>("cpu_steal_s");
        decode_sum += decode;
        roofline_sum += rep->getValue<double>("roofline");
        // The 16 steps take the repetition's decode time between them: at least half of them are
        // as long as the median, and none longer than the whole.
        const double step_median = rep->getValue<double>("step_median_s"), step_p99 = rep->getValue<double>("step_p99_s");
        EXPECT_GT(step_median, 0);
        EXPECT_GE(step_p99, step_median);
        EXPECT_LE(8 * step_median, 16 / decode * (1 + 1e-9));
        EXPECT_LE(step_p99, 16 / decode * (1 + 1e-9));
        // One session: one token per step, against the same bandwidth as the repetition.
        ASSERT_FALSE(rep->isNull("roofline_median_step"));
        const double at_median = per_token / (step_median * rep_bw);
        EXPECT_NEAR(rep->getValue<double>("roofline_median_step"), at_median, 1e-9 * at_median);
        median_step_sum += at_median;
        slowest_step = std::max(slowest_step, step_p99);
    }
    auto steps = o->getObject("decode_step_s");
    ASSERT_TRUE(steps);
    EXPECT_GT(steps->getValue<double>("median"), 0);
    EXPECT_GE(steps->getValue<double>("p99"), steps->getValue<double>("median"));
    EXPECT_LE(steps->getValue<double>("p99"), slowest_step);  // 32 steps: p99 is the slowest one
    EXPECT_GE(steps->getValue<double>("p99"), slowest_step);
    EXPECT_NEAR(o->getValue<double>("roofline_median_step"), median_step_sum / 2, 1e-9 * median_step_sum);
    EXPECT_NEAR(o->getObject("decode_tps")->getValue<double>("mean"), decode_sum / 2, 1e-9 * decode_sum);
    EXPECT_NEAR(roofline, roofline_sum / 2, 1e-9 * roofline);
    EXPECT_GT(roofline, 0);
    if (roofline >= 1.5) {
        EXPECT_TRUE(o->getValue<bool>("weights_fit_in_cache")) << roofline;
    }
    EXPECT_LT(roofline, 100);
    EXPECT_EQ(o->getValue<std::string>("roofline_bound"), "memory");
    EXPECT_EQ(o->getValue<std::string>("backend"), "backend_full");
    EXPECT_EQ(o->getValue<uint32_t>("threads"), 2u);
    EXPECT_EQ(o->getValue<uint32_t>("sessions"), 1u);
    EXPECT_EQ(o->getValue<uint32_t>("prompt_tokens"), 16u);
    EXPECT_EQ(o->getValue<uint32_t>("decode_tokens"), 16u);
    EXPECT_EQ(o->getValue<uint32_t>("repetitions"), 2u);
    EXPECT_TRUE(o->getValue<std::string>("model").ends_with("/stories260K.gguf")) << o->getValue<std::string>("model");
    EXPECT_EQ(o->getValue<std::string>("model_sha256").size(), 64u);
    EXPECT_FALSE(o->getValue<std::string>("isa").empty());
    EXPECT_TRUE(o->isNull("disk_read_bandwidth_bytes_per_s"));  // full backend: no storage roofline
    ASSERT_TRUE(o->getObject("backend_stats"));
    EXPECT_TRUE(o->getObject("backend_stats")->has("weight_bytes"));
    // CPU time decode lost to other work, read from /proc (schedstat needs CONFIG_SCHED_INFO);
    // never more than the threads had during decode.
    const double decode_s = o->getValue<double>("decode_seconds");
    EXPECT_GT(decode_s, 0);
    ASSERT_FALSE(o->isNull("decode_cpu_steal_s"));
    EXPECT_NEAR(o->getValue<double>("decode_cpu_steal_s"), steal_sum, 1e-9);
    ASSERT_EQ(o->isNull("decode_cpu_wait_s"), !std::filesystem::exists("/proc/self/schedstat"));
    if (o->isNull("decode_cpu_wait_s")) return;
    EXPECT_GE(o->getValue<double>("decode_cpu_wait_s"), 0);
    EXPECT_LE(o->getValue<double>("decode_cpu_wait_s"), decode_s * 64);
    EXPECT_GE(o->getValue<double>("decode_cpu_steal_s"), 0);
}

TEST(BenchCli, ConcurrentSessionsReportAggregateAndPerSession) {
    CliRun r = bench(kSmallRun + " --sessions 3", false);
    ASSERT_EQ(r.code, 0) << r.out;
    auto o = parse(r.out);
    EXPECT_EQ(o->getValue<uint32_t>("sessions"), 3u);
    // backend_full has no decode_batch: one thread per session.
    EXPECT_EQ(o->getValue<std::string>("decode_mode"), "threads");
    const double total = o->getObject("decode_tps")->getValue<double>("mean");
    const double each = o->getObject("decode_tps_per_session")->getValue<double>("mean");
    EXPECT_GT(each, 0);
    EXPECT_NEAR(total, 3 * each, 1e-6 * total);
    // Every session's steps are timed, but they overlap: no rate at the median step.
    EXPECT_GT(o->getObject("decode_step_s")->getValue<double>("median"), 0);
    EXPECT_TRUE(o->isNull("roofline_median_step"));
    auto reps = o->getArray("per_repetition");
    ASSERT_TRUE(reps);
    for (size_t i = 0; i < reps->size(); ++i) EXPECT_TRUE(reps->getObject(static_cast<unsigned>(i))->isNull("roofline_median_step"));
}

TEST(BenchCli, StreamBackendReportsStorageBandwidthAndBatchedDecode) {
    CliRun r = bench(kSmallRun + " --backend stream --memory-budget 256M --sessions 3", false);
    ASSERT_EQ(r.code, 0) << r.out;
    auto o = parse(r.out);
    EXPECT_EQ(o->getValue<std::string>("backend"), "backend_stream");
    EXPECT_EQ(o->getValue<uint64_t>("memory_budget"), 256u << 20);
    EXPECT_EQ(o->getValue<std::string>("decode_mode"), "decode_batch");
    const double disk = o->getValue<double>("disk_read_bandwidth_bytes_per_s");
    EXPECT_GT(disk, 1e6);
    EXPECT_LT(disk, 200e9);
    const std::string method = o->getValue<std::string>("disk_read_method");
    EXPECT_TRUE(method == "O_DIRECT" || method == "fadvise") << method;
    // Everything fits, so only token-embedding rows are read per token: present, small.
    ASSERT_FALSE(o->isNull("streamed_bytes_per_token"));
    EXPECT_LT(o->getValue<double>("streamed_bytes_per_token"), o->getValue<double>("weight_bytes"));
    // One decode_batch step reads the weights once for the 3 sessions.
    EXPECT_GT(o->getValue<double>("roofline"), 0);
    EXPECT_TRUE(o->getObject("backend_stats")->has("bytes_read"));
    // The memory probe's buffer stays within half the budget, and the peaks are taken before the
    // probe allocates it (the model is ~1 MiB, so the run itself peaks far below the buffer).
    const uint64_t probe = o->getValue<uint64_t>("read_bandwidth_buffer_bytes");
    EXPECT_LE(probe, 128u << 20);
    EXPECT_EQ(o->getValue<std::string>("read_bandwidth_measured"), "after the run");
    EXPECT_EQ(o->getArray("core_to_core_latency_ns")->size(), 0u);  // measured only beside probes between repetitions
#ifndef __SANITIZE_ADDRESS__  // ASan's shadow and quarantine alone reach ~120 MiB of RSS
    EXPECT_LT(o->getValue<uint64_t>("peak_rss_bytes"), probe);
#endif
}

TEST(BenchCli, TableAndProgressLines) {
    CliRun r = bench("--model " + quote(kStories) + " -t 1 -p 8 -n 8 -r 1");
    ASSERT_EQ(r.code, 0) << r.out;
    for (const char* text : {"pp8", "tg8", "±", "peak RSS:", "roofline:", "memory read bw:", "core to core:",
                             "backend stats:", "decode step:      median ", "the median step runs at ",
                             "[bench] warm-up: prefill", "[bench] rep 1/1: decode",
                             "[bench] rep 1: measuring memory read bandwidth"})
        EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
}

struct BadFlags {
    std::string args;
    std::string message;
};

TEST(BenchCli, BadInputFailsWithAMessage) {
    const std::string m = "--model " + quote(kStories) + " ";
    const std::vector<BadFlags> cases = {
        {"-p 1", "--model"},
        {"--model /nonexistent/m.gguf", "/nonexistent/m.gguf"},
        {m + "-p 0", "--n-prompt must be between 1"},
        {m + "-n 0", "--n-gen must be between 1"},
        {m + "-r 0", "--repetitions must be between 1"},
        {m + "--sessions 0", "--sessions must be between 1"},
        {m + "-p x", "'x' is not a valid number"},
        {m + "--backend gpu", "--backend must be auto, full or stream"},
        {m + "--memory-budget 1M", "give --backend stream"},
        {m + "--backend stream --memory-budget 0", "more than 0 bytes"},
        {m + "--backend stream --memory-budget 12X", "not a byte count"},
        {m + "-p 2000 -n 100", "exceed the model's context of 2048"},
        {m + "--backend stream --memory-budget 1K -p 4 -n 4 -r 1", "within a memory budget of 0.0 MiB (1024 bytes)"},
        // The minimum counts a session of the run's prompt + decode, not of the training context.
        {m + "--backend stream --memory-budget 1K -p 4 -n 4 -r 1", "KV cache of one 8-position session"},
    };
    for (const BadFlags& c : cases) {
        CliRun r = bench(c.args);
        EXPECT_NE(r.code, 0) << c.args << "\n" << r.out;
        EXPECT_NE(r.out.find(c.message), std::string::npos) << c.args << "\n" << r.out;
    }
}

}  // namespace
}  // namespace veil
