// `veil parity`'s reader of llama.cpp reference files: every malformed line is named, never read
// past (a step with fewer logits than the model used to crash the comparison).
#include <gtest/gtest.h>

#include <fstream>

#include "../gguf/gguf_test_util.h"
#include "cli/parity_reference.h"

namespace veil::cli {
namespace {

const char* kPrompt = R"({"prompt_tokens":[1,2,3]})";

// The error read_parity_reference throws for a file of `lines`, or "" when it reads.
std::string error_for(const std::vector<std::string>& lines) {
    test::TempDir dir;
    const std::string path = dir.file("ref.jsonl");
    {
        std::ofstream out(path);
        for (const auto& l : lines) out << l << "\n";
    }
    try {
        read_parity_reference(path);
    } catch (const std::runtime_error& e) {
        std::string m = e.what();
        return m.substr(m.find("ref.jsonl"));
    }
    return "";
}

TEST(ParityReference, ReadsPromptAndSteps) {
    test::TempDir dir;
    const std::string path = dir.file("ref.jsonl");
    std::ofstream(path) << kPrompt << "\n"
                        << R"({"step":0,"argmax":1,"logits":[0.5,2,-1]})" << "\n"
                        << R"({"step":1,"argmax":0,"logits":[3,2,1]})" << "\n";
    ParityReference ref = read_parity_reference(path);
    EXPECT_EQ(ref.prompt, (std::vector<int32_t>{1, 2, 3}));
    ASSERT_EQ(ref.steps.size(), 2u);
    EXPECT_EQ(ref.steps[0].argmax, 1);
    EXPECT_EQ(ref.steps[1].logits, (std::vector<float>{3, 2, 1}));
}

TEST(ParityReference, MalformedLinesAreNamed) {
    const std::string step0 = R"({"step":0,"argmax":1,"logits":[0.5,2,-1]})";
    EXPECT_EQ(error_for({kPrompt, step0, R"({"step":1,"argmax":0,"logits":[3,2]})"}),
              "ref.jsonl:3: step 1 has 2 logits, step 0 has 3");
    EXPECT_EQ(error_for({kPrompt, R"({"step":0,"argmax":0,"logits":[]})"}), "ref.jsonl:2: the logits array is empty");
    EXPECT_EQ(error_for({kPrompt, R"({"step":0,"argmax":3,"logits":[1,2,3]})"}),
              "ref.jsonl:2: argmax 3 is not one of the 3 logits");
    EXPECT_EQ(error_for({kPrompt, R"({"step":0,"argmax":[0.5],"logits":[1,2,3]})"}),
              "ref.jsonl:2: argmax must be an integer, got an array");
    EXPECT_EQ(error_for({kPrompt, R"({"step":0.5,"argmax":1,"logits":[1,2,3]})"}), "ref.jsonl:2: step must be an integer, got 0.5");
    EXPECT_EQ(error_for({kPrompt, R"({"argmax":1,"logits":[1,2,3]})"}), "ref.jsonl:2: step must be an integer, got nothing");
    EXPECT_EQ(error_for({kPrompt, R"({"step":0,"argmax":1,"logits":[1,"x",3]})"}), "ref.jsonl:2: logits[1] is not a number");
    EXPECT_EQ(error_for({R"({"prompt_tokens":[1,"a"]})", step0}), "ref.jsonl:1: prompt_tokens[1] must be an integer, got \"a\"");
    EXPECT_EQ(error_for({kPrompt, R"({"step":1,"argmax":1,"logits":[1,2,3]})"}), "ref.jsonl:2: steps are not numbered 0, 1, 2, ...");
    EXPECT_EQ(error_for({kPrompt}), "ref.jsonl: no prompt or no steps");
}

}  // namespace
}  // namespace veil::cli
