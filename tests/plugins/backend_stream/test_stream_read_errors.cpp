// A read that fails while units stream through the window (a disk error, a sealed chunk that
// does not decrypt): the eval fails with the source's own error (which names the tensor) and
// leaves the session where it was; once reads work again the same eval gives backend_full's
// logits — the window restarted cleanly, nothing half-read or half-regrouped was computed on.
// Weights that read fine but hold a NaN or an infinity are refused by name the same way.
#include <gtest/gtest.h>

#include <atomic>

#include "stream_fixture.h"
#include "test_llama_proxy.h"

namespace veil::test {
namespace {

// Forwards to another source; its next `n` reads fail (fail_next).
class FailingReads {
public:
    explicit FailingReads(const veil_model_source& inner) : inner_(inner) {
        src_ = inner;
        src_.ctx = this;
        src_.meta_get = [](void* ctx, const char* key, veil_meta_value* out) {
            const veil_model_source& in = static_cast<FailingReads*>(ctx)->inner_;
            in.meta_get(in.ctx, key, out);
        };
        src_.read = [](void* ctx, size_t tensor, uint64_t offset, void* dst, size_t size, uint32_t flags) -> veil_error* {
            auto* self = static_cast<FailingReads*>(ctx);
            if (self->failures_left_.fetch_sub(1) > 0) return HostApi::new_error(VEIL_ERR_IO, "injected read failure");
            return self->inner_.read(self->inner_.ctx, tensor, offset, dst, size, flags);
        };
        src_.map = nullptr;
    }
    const veil_model_source& abi() const { return src_; }
    void fail_next(int n) { failures_left_ = n; }

private:
    const veil_model_source& inner_;
    veil_model_source src_{};
    std::atomic<int> failures_left_{0};
};

// Loads `src` with the smallest budget, so that every layer streams, and opens a session of 64
// positions (declared model first, as the fixture asks).
void open_streaming(const veil_model_source& src, LoadedModel& model, OpenSession& session) {
    Err e = stream_plugin().load(src, budget_json(minimum_budget(src)), model);
    ASSERT_TRUE(e.ok) << e.message;
    ASSERT_EQ(stream_plugin().stats(model)->getArray("resident_layers")->size(), 0u);  // every layer streams
    ASSERT_TRUE(stream_plugin().open_session(model, 64, session).ok);
}

TEST(StreamReadErrors, AFailedReadFailsTheEvalAndTheNextOneRecovers) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-Q8_0.gguf");
    FailingReads src(*gguf->abi());
    const std::vector<int32_t> prompt = {1, 20, 30, 40, 50};
    const int32_t next = 77;
    // backend_full: the logits after the prompt and then `next`.
    const auto expected = full_greedy_logits(src.abi(), {1, 20, 30, 40, 50, next}, 0);

    LoadedModel model;
    OpenSession session;
    ASSERT_NO_FATAL_FAILURE(open_streaming(src.abi(), model, session));
    std::vector<float> logits(stream_plugin().n_vocab(model));
    ASSERT_TRUE(take(stream_plugin().vt->eval(session.get(), prompt.data(), prompt.size(), logits.data())).ok);

    // The next read fails: a read-ahead of the pass's first units, or one the pass waits for.
    src.fail_next(1);
    Err e = take(stream_plugin().vt->eval(session.get(), &next, 1, logits.data()));
    ASSERT_FALSE(e.ok);
    // The source's own error object comes back (its message names what failed).
    EXPECT_EQ(e.code, VEIL_ERR_IO);
    EXPECT_EQ(e.message, "injected read failure");
    EXPECT_EQ(stream_plugin().vt->session_position(session.get()), prompt.size());

    e = take(stream_plugin().vt->eval(session.get(), &next, 1, logits.data()));
    ASSERT_TRUE(e.ok) << e.message;
    EXPECT_EQ(logits, expected[0]);
    EXPECT_EQ(stream_plugin().vt->session_position(session.get()), prompt.size() + 1);
}

// A NaN scale in row 7 of a streamed layer's Q4_K matrix: every eval that needs the layer fails
// naming it, the session stays where it was. Resident (a budget that holds the model), the load
// itself fails.
TEST(StreamReadErrors, NonFiniteWeightsAreRefusedByName) {
    auto gguf = open_gguf(testdata_dir() / "models" / "synth-d256-Q4_K_M.gguf");
    ProxySource src(*gguf->abi());
    const uint64_t q4_k_row = 144;  // 256 columns: one block; d is its first two bytes
    src.patch("blk.1.ffn_gate.weight", 7 * q4_k_row, {0x00, 0x7e});
    const std::string expected =
        "tensor 'blk.1.ffn_gate.weight' (q4_K): row 7, block 0 (elements 0..255): its scale d is NaN";

    LoadedModel model;
    OpenSession session;
    ASSERT_NO_FATAL_FAILURE(open_streaming(src.abi(), model, session));
    std::vector<float> logits(stream_plugin().n_vocab(model));
    const std::vector<int32_t> prompt = {1, 20, 30};
    for (int attempt = 0; attempt < 2; ++attempt) {
        Err e = take(stream_plugin().vt->eval(session.get(), prompt.data(), prompt.size(), logits.data()));
        ASSERT_FALSE(e.ok) << attempt;
        EXPECT_EQ(e.code, VEIL_ERR_INVALID_ARGUMENT);
        EXPECT_NE(e.message.find(expected), std::string::npos) << e.message;
        EXPECT_EQ(stream_plugin().vt->session_position(session.get()), 0u);
    }
    session.reset();
    model.reset();

    Err e = stream_plugin().load(src.abi(), budget_json(uint64_t{1} << 30), model);
    ASSERT_FALSE(e.ok);
    EXPECT_EQ(e.code, VEIL_ERR_INVALID_ARGUMENT);
    EXPECT_NE(e.message.find(expected), std::string::npos) << e.message;
}

}  // namespace
}  // namespace veil::test
