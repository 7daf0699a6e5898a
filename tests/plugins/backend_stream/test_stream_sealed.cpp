// backend_stream on a sealed model (#6): the same logits as the plain file, and only the window's
// worth of plaintext ever decrypted at once — the stream backend holds at most its budget and the
// sealed source decrypts every streamed unit again on every pass instead of keeping the model.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "sealed_test_util.h"
#include "stream_fixture.h"
#include "test_llama_proxy.h"

namespace veil::test {
namespace {

const std::vector<int32_t> kPrompt = {1, 90, 91, 92, 93, 94, 95, 96};

TEST(BackendStreamSealed, SameLogitsAsThePlainModelWithinTheBudget) {
    TempDir dir;
    const std::string sealed_path = seal_test_model(dir, "models/synth-d256-Q6_K.gguf", "m.veil", 64 * 1024, test_key());
    auto sealed = SealedModelSource::open(sealed_path, test_key(), host_errors());
    auto plain = open_gguf(testdata_dir() / "models" / "synth-d256-Q6_K.gguf");

    const auto expected = full_greedy_logits(*plain->abi(), kPrompt, 10);

    const uint64_t budget = minimum_budget(*sealed->abi());
    EXPECT_EQ(budget, minimum_budget(*plain->abi()));
    LoadedModel model;
    Err e = stream_plugin().load(*sealed->abi(), budget_json(budget), model);
    ASSERT_TRUE(e.ok) << e.message;
    const auto got = greedy_logits(stream_plugin(), model, kPrompt, 10);
    ASSERT_EQ(got, expected);

    auto st = stream_plugin().stats(model);
    EXPECT_LE(st->getValue<uint64_t>("peak_held_bytes"), budget);
    EXPECT_EQ(st->getArray("resident_layers")->size(), 0u);
    const uint64_t weights = st->getValue<uint64_t>("weight_bytes");
    // Every pass decrypted the streamed layers again: far more plaintext went through the source
    // than the model holds, while the plugin never held more than its budget (< the weights).
    const SealedModelSource::Stats ss = sealed->stats();
    std::printf("[sealed] budget %llu, weights %llu, plaintext returned %llu bytes in %llu chunk decryptions\n",
                static_cast<unsigned long long>(budget), static_cast<unsigned long long>(weights),
                static_cast<unsigned long long>(ss.bytes_returned), static_cast<unsigned long long>(ss.chunks_decrypted));
    EXPECT_LT(st->getValue<uint64_t>("window_slot_bytes") * 2, weights);
    EXPECT_GT(ss.bytes_returned, 5 * weights);
}

uint64_t status_kib(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1));
    return 0;
}

// No full decryption in memory: the peak RSS growth of loading and generating from the sealed
// model stays under a budget smaller than the model's plaintext. The training context is
// overridden to 64 positions so the KV cache (sized for it) does not dwarf this small model.
TEST(BackendStreamSealed, PeakRssGrowthStaysUnderTheBudget) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine inflate RSS by design";
#endif
    TempDir dir;
    const std::string sealed_path = seal_test_model(dir, "models/synth-d256-F16.gguf", "m.veil", 64 * 1024, test_key());
    uint64_t budget = 0, weights = 0;
    {
        auto sealed = SealedModelSource::open(sealed_path, test_key(), host_errors());
        ProxySource short_ctx(*sealed->abi());
        short_ctx.set_uint("llama.context_length", 64);
        budget = minimum_budget(short_ctx.abi()) + (64u << 10);
        for (size_t i = 0; i < sealed->abi()->n_tensors; ++i) weights += sealed->abi()->tensors[i].n_bytes;
    }
    stream_plugin();
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        auto sealed = SealedModelSource::open(sealed_path, test_key(), host_errors());
        ProxySource short_ctx(*sealed->abi());
        short_ctx.set_uint("llama.context_length", 64);
        const veil_model_source& src = short_ctx.abi();
        auto run = [&] {
            LoadedModel model;
            if (!stream_plugin().load(src, budget_json(budget), model).ok) return 3;
            try {
                greedy_logits(stream_plugin(), model, kPrompt, 12);
            } catch (...) {
                return 4;
            }
            return 0;
        };
        if (run() != 0) _exit(7);  // warm-up: code pages and allocator arenas are not the model's
        { std::ofstream("/proc/self/clear_refs") << "5"; }
        const uint64_t base = status_kib("VmRSS");
        const int rc = run();
        const uint64_t growth = (status_kib("VmHWM") - base) * 1024;
        if (write(fds[1], &growth, sizeof growth) != sizeof growth) _exit(5);
        _exit(rc);
    }
    close(fds[1]);
    uint64_t growth = 0;
    const bool got = read(fds[0], &growth, sizeof growth) == sizeof growth;
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    ASSERT_TRUE(got);
    std::printf("[sealed vmhwm] weights %llu, budget %llu, peak RSS growth %llu bytes\n",
                static_cast<unsigned long long>(weights), static_cast<unsigned long long>(budget),
                static_cast<unsigned long long>(growth));
    EXPECT_LT(budget, weights);
    EXPECT_LE(growth, budget);
}

}  // namespace
}  // namespace veil::test
