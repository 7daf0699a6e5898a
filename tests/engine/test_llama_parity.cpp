// Parity of Veil's LLaMA forward pass with llama.cpp: teacher-forced logits over every reference
// file in testdata/reference, greedy generation, and thread-count independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "test_llama_support.h"
#include "veil/engine/llama_forward.h"

namespace veil::test {
namespace {

using engine::LlamaModel;
using engine::LlamaSession;

// A model loaded through the engine exactly as a backend would: aligned owned copies.
struct Loaded {
    explicit Loaded(const std::filesystem::path& path, int threads = 1)
        : gguf(open_gguf(path)), tensors(*gguf->abi()),
          model(*gguf->abi(), [this](size_t i) { return tensors.data(i); }, threads) {}
    std::unique_ptr<GgufModelSource> gguf;
    OwnedTensors tensors;
    LlamaModel model;

    bool quantized() const {
        for (size_t i = 0; i < gguf->abi()->n_tensors; ++i) {
            uint32_t t = gguf->abi()->tensors[i].type;
            if (t != VEIL_TYPE_F32 && t != VEIL_TYPE_F16 && t != VEIL_TYPE_BF16) return true;
        }
        return false;
    }
};

// Logits after the prompt, then after each reference argmax fed one at a time.
std::vector<std::vector<float>> teacher_force(LlamaModel& model, const Reference& ref) {
    const uint32_t n_vocab = model.hparams().n_vocab;
    LlamaSession s(model, static_cast<uint32_t>(ref.prompt.size() + ref.steps.size() + 4));
    std::vector<std::vector<float>> out;
    std::vector<float> logits(n_vocab);
    s.eval(ref.prompt.data(), ref.prompt.size(), logits.data());
    out.push_back(logits);
    for (size_t k = 1; k < ref.steps.size(); ++k) {
        const int32_t tok = ref.steps[k - 1].argmax;
        s.eval(&tok, 1, logits.data());
        out.push_back(logits);
    }
    return out;
}

class LlamaParity : public ::testing::TestWithParam<std::filesystem::path> {};

TEST(LlamaParityData, ReferencesExist) {
    // Eight files ship with the test data; an empty list would make the parity suite vacuous.
    EXPECT_GE(reference_files().size(), 8u);
}

TEST_P(LlamaParity, TeacherForcedLogitsMatchLlamaCpp) {
    const Reference ref = load_reference(GetParam());
    // One thread: LlamaThreads.TwoThreadsMatchOneThread shows 2 threads give the same bits.
    Loaded m(ref.model);
    ASSERT_EQ(m.model.hparams().n_vocab, ref.steps[0].logits.size());
    const double min_cos_required = m.quantized() ? 0.995 : 0.999;

    const auto ours = teacher_force(m.model, ref);
    double min_cos = 1.0;
    size_t exact_top1 = 0, near_top1 = 0;
    for (size_t k = 0; k < ref.steps.size(); ++k) {
        const std::vector<float>& want = ref.steps[k].logits;
        const double c = cosine(ours[k], want);
        min_cos = std::min(min_cos, c);
        EXPECT_GE(c, min_cos_required) << ref.name << " step " << k;

        // Top-1: the token we rank first must be (near-)maximal in the reference too.
        const int32_t top = argmax(ours[k].data(), ours[k].size());
        const float ref_max = *std::max_element(want.begin(), want.end());
        const double tol = 0.05 * stddev(want);
        if (top == ref.steps[k].argmax) ++exact_top1;
        if (want[top] >= ref_max - tol) ++near_top1;
        EXPECT_GE(want[top], ref_max - tol) << ref.name << " step " << k << ": Veil's top token " << top
                                            << " has reference logit " << want[top] << ", the reference max is "
                                            << ref_max << " (token " << ref.steps[k].argmax << ")";
    }
    std::printf("[parity] %-28s steps %2zu  min cosine %.6f  top-1 exact %zu/%zu  within 0.05 sd %zu/%zu\n",
                ref.name.c_str(), ref.steps.size(), min_cos, exact_top1, ref.steps.size(), near_top1,
                ref.steps.size());
}

INSTANTIATE_TEST_SUITE_P(AllReferences, LlamaParity, ::testing::ValuesIn(reference_files()),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& info) {
                             std::string s = info.param.stem().string();
                             for (char& c : s)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return s;
                         });

// The comparison must be able to fail: logits one step off (different position and context) are
// far below the required cosine.
TEST(LlamaParityCheck, ShiftedStepsAreRejected) {
    const Reference ref = load_reference(testdata_dir() / "reference" / "stories260K.once.jsonl");
    Loaded m(ref.model);
    const auto ours = teacher_force(m.model, ref);
    for (size_t k = 0; k + 1 < ref.steps.size(); ++k)
        EXPECT_LT(cosine(ours[k], ref.steps[k + 1].logits), 0.999) << "step " << k;
}

TEST(LlamaGreedy, Stories260KOnceGenerates24ReferenceTokens) {
    const Reference ref = load_reference(testdata_dir() / "reference" / "stories260K.once.jsonl");
    ASSERT_GE(ref.steps.size(), 24u);
    Loaded m(ref.model);
    LlamaSession s(m.model, 0);
    std::vector<float> logits(m.model.hparams().n_vocab);
    s.eval(ref.prompt.data(), ref.prompt.size(), logits.data());
    std::vector<int32_t> got, want;
    for (size_t i = 0; i < 24; ++i) {
        const int32_t tok = argmax(logits.data(), logits.size());
        got.push_back(tok);
        want.push_back(ref.steps[i].argmax);
        s.eval(&tok, 1, logits.data());
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(s.position(), ref.prompt.size() + 24);
}

// Splitting matmul rows and attention heads across threads must not change the numbers.
TEST(LlamaThreads, TwoThreadsMatchOneThread) {
    for (const char* file : {"stories260K.once.jsonl", "synth-d256-Q4_K_M.once.jsonl"}) {
        const Reference ref = load_reference(testdata_dir() / "reference" / file);
        Loaded one(ref.model, 1), two(ref.model, 2);
        ASSERT_EQ(one.model.n_threads(), 1);
        ASSERT_EQ(two.model.n_threads(), 2);
        const auto a = teacher_force(one.model, ref);
        const auto b = teacher_force(two.model, ref);
        float max_diff = 0, max_abs = 0;
        for (size_t k = 0; k < a.size(); ++k)
            for (size_t i = 0; i < a[k].size(); ++i) {
                max_diff = std::max(max_diff, std::abs(a[k][i] - b[k][i]));
                max_abs = std::max(max_abs, std::abs(a[k][i]));
            }
        std::printf("[threads] %-28s max |1t - 2t| = %g (max |logit| %g)\n", ref.name.c_str(), max_diff, max_abs);
        EXPECT_LE(max_diff, 1e-5f * max_abs) << file;
    }
}

// Long contexts take the parallel attention path (short ones stay on the calling thread).
TEST(LlamaThreads, LongContextTwoThreadsMatchOneThread) {
    const Reference ref = load_reference(testdata_dir() / "reference" / "synth-d256-Q8_0.once.jsonl");
    Loaded one(ref.model, 1), two(ref.model, 2);
    std::vector<int32_t> prompt;
    for (int i = 0; i < 300; ++i) prompt.push_back((i * 37 + 11) % 512);
    std::vector<float> a(512), b(512);
    LlamaSession s1(one.model, 512), s2(two.model, 512);
    s1.eval(prompt.data(), prompt.size(), a.data());
    s2.eval(prompt.data(), prompt.size(), b.data());
    EXPECT_EQ(a, b);
    const int32_t next = 5;
    s1.eval(&next, 1, a.data());
    s2.eval(&next, 1, b.data());
    EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace veil::test
