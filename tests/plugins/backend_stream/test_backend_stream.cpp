// backend_stream against backend_full: identical logits whatever the budget (everything resident,
// partly resident, the minimum), batched decode identical to one session at a time, refusals with
// the numbers, and the stats that make residency, prefetch and zeroization observable.
#include <gtest/gtest.h>

#include <thread>

#include "stream_fixture.h"
#include "test_llama_proxy.h"

namespace veil::test {
namespace {

const std::vector<int32_t> kPrompt = {1, 403, 407, 261, 378, 425, 302, 258, 304, 285, 266, 277, 350};

std::vector<std::string> model_names() {
    return {"stories260K", "synth-d256-F16", "synth-d256-Q8_0", "synth-d256-Q4_0",
            "synth-d256-Q4_K_M", "synth-d256-Q5_K_M", "synth-d256-Q6_K"};
}

TEST(BackendStreamPlugin, DescribesItself) {
    BackendPlugin& p = stream_plugin();
    EXPECT_STREQ(p.info->name, "backend_stream");
    EXPECT_TRUE(p.info->capabilities & VEIL_CAP_BACKEND_STREAMING);
    EXPECT_TRUE(p.info->capabilities & VEIL_CAP_BACKEND_BATCHED_DECODE);
    veil_error* reason = nullptr;
    const uint32_t score = p.info->probe(&p.api_, "{}", &reason);
    EXPECT_GT(score, 0u);
    EXPECT_EQ(reason, nullptr);
    // Below backend_full's: the policy engine, not the score, sends big models to streaming.
    EXPECT_LT(score, full_plugin().info->probe(&full_plugin().api_, "{}", nullptr));
    EXPECT_NE(p.vt->decode_batch, nullptr);
    EXPECT_NE(p.vt->stats, nullptr);
}

class StreamMatchesFull : public ::testing::TestWithParam<std::string> {};

// Three budgets: the minimum (every layer streams), halfway (some resident), none (all resident).
TEST_P(StreamMatchesFull, SameLogitsAtEveryBudget) {
    auto gguf = open_gguf(testdata_dir() / "models" / (GetParam() + ".gguf"));
    const veil_model_source& src = *gguf->abi();
    std::vector<int32_t> prompt = kPrompt;
    for (int32_t& t : prompt) t %= 256;  // inside every test model's vocabulary

    const auto expected = full_greedy_logits(src, prompt, 12);

    const uint64_t min_budget = minimum_budget(src);
    uint64_t weights = 0;
    for (size_t i = 0; i < src.n_tensors; ++i) weights += src.tensors[i].n_bytes;
    struct Case {
        const char* name;
        std::string options;
    };
    for (const Case& c : {Case{"minimum", budget_json(min_budget)}, Case{"partial", budget_json(min_budget + weights / 2)},
                          Case{"unbounded", std::string(R"({"threads":2})")}}) {
        SCOPED_TRACE(c.name);
        LoadedModel model;
        Err e = stream_plugin().load(src, c.options, model);
        ASSERT_TRUE(e.ok) << e.message;
        const auto got = greedy_logits(stream_plugin(), model, prompt, 12);
        ASSERT_EQ(got.size(), expected.size());
        for (size_t k = 0; k < got.size(); ++k) ASSERT_EQ(got[k], expected[k]) << "step " << k;

        auto st = stream_plugin().stats(model);
        const size_t resident = st->getArray("resident_layers")->size();
        const size_t streamed = st->getArray("streamed_layers")->size();
        std::printf("[%s %s] resident %zu streamed %zu, read %llu bytes, stall %llu ns, overlap %.2f, peak %llu of %llu\n",
                    GetParam().c_str(), c.name, resident, streamed,
                    static_cast<unsigned long long>(st->getValue<uint64_t>("bytes_read")),
                    static_cast<unsigned long long>(st->getValue<uint64_t>("stall_ns")),
                    st->getValue<double>("prefetch_overlap"),
                    static_cast<unsigned long long>(st->getValue<uint64_t>("peak_held_bytes")),
                    static_cast<unsigned long long>(st->getValue<uint64_t>("budget")));
        EXPECT_LE(st->getValue<uint64_t>("peak_held_bytes"), st->getValue<uint64_t>("budget"));
        const std::string which = c.name;
        if (which == "minimum") {
            EXPECT_EQ(resident, 0u);
            // Every pass (13 of them) read every layer again.
            EXPECT_GE(st->getValue<uint64_t>("bytes_read"), 13 * st->getValue<uint64_t>("streamed_bytes_per_pass") / 2);
        } else if (which == "partial") {
            EXPECT_GT(resident, 0u);
            EXPECT_GT(streamed, 0u);
        } else {
            EXPECT_EQ(streamed, 0u);
            EXPECT_EQ(st->getValue<uint64_t>("units_streamed"), 0u);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Models, StreamMatchesFull, ::testing::ValuesIn(model_names()),
                         [](const auto& info) {
                             std::string s = info.param;
                             for (char& ch : s)
                                 if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return s;
                         });

TEST(BackendStreamPlugin, BelowTheMinimumIsRefusedWithTheNumbers) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-Q4_K_M.gguf");
    const uint64_t min_budget = minimum_budget(*gguf->abi());
    LoadedModel model;
    Err e = stream_plugin().load(*gguf->abi(), budget_json(min_budget - 1), model);
    ASSERT_FALSE(e.ok);
    EXPECT_EQ(e.code, VEIL_ERR_OUT_OF_MEMORY);
    std::printf("[refusal] %s\n", e.message.c_str());
    EXPECT_NE(e.message.find("(" + std::to_string(min_budget - 1) + " bytes)"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("(" + std::to_string(min_budget) + " bytes)"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("streaming window"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("KV cache"), std::string::npos) << e.message;
    ASSERT_TRUE(stream_plugin().load(*gguf->abi(), budget_json(min_budget), model).ok);
    model.reset();

    for (const char* bad : {R"({"memory_budget":-5})", R"({"memory_budget":"1G"})", R"({"threads":0})", "[]"}) {
        Err b = stream_plugin().load(*gguf->abi(), bad, model);
        EXPECT_EQ(b.code, VEIL_ERR_INVALID_ARGUMENT) << bad << ": " << b.message;
    }
}

// One pass over the layers for several sessions gives each the logits it gets alone.
TEST(BackendStreamPlugin, BatchedDecodeMatchesOneSessionAtATime) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-Q4_K_M.gguf");
    const veil_model_source& src = *gguf->abi();
    const std::vector<std::vector<int32_t>> prompts = {{1, 20, 30, 40}, {1, 77}, {1, 5, 6, 7, 8, 9, 10, 11}};
    constexpr size_t kSteps = 6;
    constexpr uint32_t kCtx = 64;

    std::vector<std::vector<std::vector<float>>> expected;
    for (const auto& p : prompts) expected.push_back(full_greedy_logits(src, p, kSteps, kCtx));

    LoadedModel model;
    // Room for the three small sessions; little else resident, so most layers stream.
    const uint64_t budget = minimum_budget(src) + (1u << 20);
    ASSERT_TRUE(stream_plugin().load(src, budget_json(budget), model).ok);
    const uint32_t n_vocab = stream_plugin().n_vocab(model);
    std::vector<OpenSession> handles(prompts.size());
    std::vector<void*> sessions(prompts.size());
    std::vector<int32_t> next(prompts.size());
    std::vector<float> logits(n_vocab * prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i) {
        Err e = stream_plugin().open_session(model, kCtx, handles[i]);
        ASSERT_TRUE(e.ok) << e.message;
        sessions[i] = handles[i].get();
        ASSERT_TRUE(take(stream_plugin().vt->eval(sessions[i], prompts[i].data(), prompts[i].size(), logits.data())).ok);
        ASSERT_EQ(std::vector<float>(logits.begin(), logits.begin() + n_vocab), expected[i][0]);
        next[i] = argmax(logits.data(), n_vocab);
    }
    const uint64_t passes_before = stream_plugin().stats(model)->getValue<uint64_t>("passes");
    for (size_t k = 1; k <= kSteps; ++k) {
        Err e = take(stream_plugin().vt->decode_batch(model.get(), sessions.data(), next.data(), sessions.size(), logits.data()));
        ASSERT_TRUE(e.ok) << e.message;
        for (size_t i = 0; i < prompts.size(); ++i) {
            std::vector<float> row(logits.begin() + static_cast<long>(i * n_vocab), logits.begin() + static_cast<long>((i + 1) * n_vocab));
            ASSERT_EQ(row, expected[i][k]) << "session " << i << " step " << k;
            next[i] = argmax(row.data(), n_vocab);
        }
    }
    EXPECT_EQ(stream_plugin().stats(model)->getValue<uint64_t>("passes") - passes_before, kSteps);  // one pass per step
    for (size_t i = 0; i < prompts.size(); ++i)
        EXPECT_EQ(stream_plugin().vt->session_position(sessions[i]), prompts[i].size() + kSteps);

    void* dup[2] = {sessions[0], sessions[0]};
    Err e = take(stream_plugin().vt->decode_batch(model.get(), dup, next.data(), 2, logits.data()));
    EXPECT_EQ(e.code, VEIL_ERR_INVALID_ARGUMENT);
    EXPECT_NE(e.message.find("twice"), std::string::npos) << e.message;
}

// Sessions evaluated from several threads at once are batched safely: same logits as alone.
TEST(BackendStreamPlugin, ConcurrentSessionsFromSeveralThreads) {
    auto gguf = open_gguf(testdata_dir() / "models" / "stories260K.gguf");
    const veil_model_source& src = *gguf->abi();
    LoadedModel model;
    ASSERT_TRUE(stream_plugin().load(src, budget_json(minimum_budget(src) + (8u << 20)), model).ok);
    const auto expected = greedy_logits(stream_plugin(), model, kPrompt, 8, 128);
    std::vector<std::vector<std::vector<float>>> got(3);
    std::vector<std::thread> threads;
    for (auto& g : got) threads.emplace_back([&] { g = greedy_logits(stream_plugin(), model, kPrompt, 8, 128); });
    for (auto& t : threads) t.join();
    for (const auto& g : got) EXPECT_EQ(g, expected);
    // Evals that met in the queue shared a pass (how many depends on timing).
    std::printf("[concurrent] %llu of %llu passes shared by several sessions\n",
                static_cast<unsigned long long>(stream_plugin().stats(model)->getValue<uint64_t>("shared_passes")),
                static_cast<unsigned long long>(stream_plugin().stats(model)->getValue<uint64_t>("passes")));
}

// A session that does not fit next to the resident layers evicts some; one that cannot fit at all
// is refused with the numbers.
TEST(BackendStreamPlugin, SessionsEvictResidentLayersThenAreRefused) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-Q8_0.gguf");
    const veil_model_source& src = *gguf->abi();
    uint64_t weights = 0;
    for (size_t i = 0; i < src.n_tensors; ++i) weights += src.tensors[i].n_bytes;
    LoadedModel model;
    ASSERT_TRUE(stream_plugin().load(src, budget_json(minimum_budget(src) + weights), model).ok);
    auto before = stream_plugin().stats(model);
    EXPECT_EQ(before->getArray("streamed_layers")->size(), 0u);

    std::vector<OpenSession> sessions;
    Err e;
    for (int i = 0; i < 64 && e.ok; ++i) {
        OpenSession s;
        e = stream_plugin().open_session(model, 0, s);
        if (e.ok) sessions.push_back(std::move(s));
    }
    ASSERT_FALSE(e.ok) << "64 full-context sessions fit";
    EXPECT_EQ(e.code, VEIL_ERR_OUT_OF_MEMORY);
    EXPECT_NE(e.message.find("memory budget of"), std::string::npos) << e.message;
    auto after = stream_plugin().stats(model);
    EXPECT_GT(after->getValue<uint64_t>("units_evicted"), 0u);
    EXPECT_EQ(after->getArray("resident_layers")->size(), 0u);
    EXPECT_LE(after->getValue<uint64_t>("peak_held_bytes"), after->getValue<uint64_t>("budget"));
    // Still computes, now streaming every layer.
    std::vector<float> logits(stream_plugin().n_vocab(model));
    ASSERT_TRUE(take(stream_plugin().vt->eval(sessions[0].get(), kPrompt.data(), 4, logits.data())).ok);
}

// The host's "n_ctx" load option sizes the session the minimum budget holds: a host that opens
// short sessions need not afford one of the training context (gigabytes of KV cache for
// long-context models). A longer session is still charged when opened.
TEST(BackendStreamPlugin, MinimumHoldsOneSessionOfTheRequestedContext) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-Q8_0.gguf");
    const veil_model_source& src = *gguf->abi();
    const uint64_t full_ctx = minimum_budget(src), short_ctx = minimum_budget(src, "\"n_ctx\":64");
    EXPECT_LT(short_ctx, full_ctx);

    LoadedModel model;
    Err e = stream_plugin().load(src, R"({"threads":2,"n_ctx":64,"memory_budget":)" + std::to_string(short_ctx - 1) + "}", model);
    ASSERT_FALSE(e.ok);
    EXPECT_NE(e.message.find("one 64-position session"), std::string::npos) << e.message;
    ASSERT_TRUE(stream_plugin().load(src, R"({"threads":2,"n_ctx":64,"memory_budget":)" + std::to_string(short_ctx) + "}", model).ok);
    OpenSession s;
    ASSERT_TRUE(stream_plugin().open_session(model, 64, s).ok);
    std::vector<float> logits(stream_plugin().n_vocab(model));
    ASSERT_TRUE(take(stream_plugin().vt->eval(s.get(), kPrompt.data(), 4, logits.data())).ok);
    s.reset();
    // The training context's session needs more than this budget holds, even with no layer resident.
    OpenSession full;
    e = stream_plugin().open_session(model, 0, full);
    ASSERT_FALSE(e.ok);
    EXPECT_EQ(e.code, VEIL_ERR_OUT_OF_MEMORY);
    model.reset();

    for (const char* bad : {R"({"n_ctx":0})", R"({"n_ctx":-1})", R"({"n_ctx":"4k"})", R"({"n_ctx":16777217})"}) {
        Err b = stream_plugin().load(src, bad, model);
        EXPECT_EQ(b.code, VEIL_ERR_INVALID_ARGUMENT) << bad << ": " << b.message;
        EXPECT_NE(b.message.find("n_ctx"), std::string::npos) << b.message;
    }
}

// Budget the load reserved for a full-context session, left unused by a small one, is filled by
// streamed layers kept after use; a full-context session later takes it back.
TEST(BackendStreamPlugin, FreedBudgetKeepsStreamedLayersResident) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-Q8_0.gguf");
    const veil_model_source& src = *gguf->abi();
    const auto expected = full_greedy_logits(src, kPrompt, 6, 64);

    LoadedModel model;
    ASSERT_TRUE(stream_plugin().load(src, budget_json(minimum_budget(src)), model).ok);
    EXPECT_EQ(stream_plugin().stats(model)->getArray("resident_layers")->size(), 0u);
    EXPECT_EQ(greedy_logits(stream_plugin(), model, kPrompt, 6, 64), expected);
    auto st = stream_plugin().stats(model);
    EXPECT_GT(st->getValue<uint64_t>("units_promoted"), 0u);
    EXPECT_GT(st->getArray("resident_layers")->size(), 0u);
    EXPECT_LE(st->getValue<uint64_t>("peak_held_bytes"), st->getValue<uint64_t>("budget"));

    OpenSession big;
    Err e = stream_plugin().open_session(model, 0, big);
    ASSERT_TRUE(e.ok) << e.message;
    st = stream_plugin().stats(model);
    EXPECT_GT(st->getValue<uint64_t>("units_evicted"), 0u);
    EXPECT_EQ(st->getArray("resident_layers")->size(), 0u);
}

TEST(BackendStreamPlugin, StatsShowPrefetchAndZeroization) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-F16.gguf");
    const veil_model_source& src = *gguf->abi();
    LoadedModel model;
    ASSERT_TRUE(stream_plugin().load(src, budget_json(minimum_budget(src)), model).ok);
    greedy_logits(stream_plugin(), model, kPrompt, 10);
    auto st = stream_plugin().stats(model);
    const uint64_t passes = st->getValue<uint64_t>("passes");
    const uint64_t per_pass = st->getValue<uint64_t>("streamed_bytes_per_pass");
    EXPECT_EQ(passes, 11u);
    EXPECT_GT(per_pass, 0u);
    // Every streamed unit was read and, once computed, its plaintext overwritten.
    EXPECT_GE(st->getValue<uint64_t>("bytes_read"), passes * per_pass * 9 / 10);
    EXPECT_GE(st->getValue<uint64_t>("bytes_zeroized"), passes * per_pass);
    EXPECT_GE(st->getValue<uint64_t>("units_streamed"), passes);
    EXPECT_LE(st->getValue<uint64_t>("units_ready_on_acquire"), st->getValue<uint64_t>("units_streamed"));
    EXPECT_TRUE(st->has("stall_ns"));
    EXPECT_GT(st->getValue<double>("window_read_bytes_per_s"), 0.0);
}

}  // namespace
}  // namespace veil::test
