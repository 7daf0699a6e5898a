// `veil generate` through the real binary.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "../cli_model/cli_run.h"
#include "../gguf/gguf_test_util.h"
#include "gguf/gguf_file.h"
#include "util/valid_utf8.h"

namespace veil {
namespace {

using test::CliRun;
using test::quote;

// A random-weights model with llama.cpp's SPM vocabulary samples stray byte tokens (<0x90> alone,
// half a UTF-8 sequence): --json must still print valid JSON, as the server does, with each
// invalid byte of "text" as U+FFFD; "tokens" keeps the exact output.
TEST(GenerateCli, JsonTextIsValidUtf8WhenTheModelEmitsStrayBytes) {
    test::TempDir dir;
    const std::string model = dir.file("tiny.gguf");
    CliRun r = test::run_veil("model synth --shape 64,1,128,2,1,32000 --type F32 --seed 3 --vocab-from " +
                              quote(test::testdata("tokenizer/ggml-vocab-llama-spm.gguf")) + " --out " + quote(model));
    ASSERT_EQ(r.code, 0) << r.out;
    int replaced = 0;
    for (int seed : {1, 2, 3}) {
        r = test::run_veil("generate --model " + quote(model) + " --prompt Hello -n 200 --temp 2 --top-k 0 --top-p 1" +
                           " --min-p 0 --seed " + std::to_string(seed) + " --json");
        ASSERT_EQ(r.code, 0) << r.out;
        // The log lines (stderr, also captured) come first; the JSON is the line that starts with '{'.
        const size_t at = r.out.rfind("\n{");
        ASSERT_NE(at, std::string::npos) << r.out;
        const std::string json = r.out.substr(at + 1);
        EXPECT_EQ(util::valid_utf8(json), json) << "seed " << seed << ": the JSON is not valid UTF-8";
        const std::string text = test::parse_json(json)->getValue<std::string>("text");
        if (text.find("\xEF\xBF\xBD") != std::string::npos) ++replaced;
    }
    // Otherwise this test would not have exercised the replacement (the run uses fixed seeds).
    EXPECT_GT(replaced, 0);
}

// stories260K with every weight of the final norm set to `value`.
std::string model_with_output_norm(test::TempDir& dir, float value) {
    std::vector<uint8_t> bytes = test::read_all(test::testdata("models/stories260K.gguf"));
    auto gguf = GgufFile::parse(bytes.data(), bytes.size(), "stories260K.gguf");
    const GgufTensorInfo* norm = gguf->find_tensor("output_norm.weight");
    EXPECT_NE(norm, nullptr);
    if (norm == nullptr) return {};
    for (uint64_t i = 0; i < norm->dims[0]; ++i)
        std::memcpy(bytes.data() + gguf->data_offset() + norm->offset + i * sizeof value, &value, sizeof value);
    return dir.write("norm.gguf", bytes);
}

// A NaN weight is refused when the model loads, naming the tensor and the element.
TEST(GenerateCli, NonFiniteWeightsAreRefusedAtLoad) {
    test::TempDir dir;
    const std::string model = model_with_output_norm(dir, std::nanf(""));
    CliRun r = test::run_veil("generate --model " + quote(model) + " --prompt Hello -n 4 --temp 0");
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("tensor 'output_norm.weight' (f32): row 0, element 0 is NaN"), std::string::npos) << r.out;
}

// Finite weights can still overflow: a final norm of 3e38 turns the logits into Inf and NaN.
// Generation stops with an error naming it, instead of sampling arbitrary tokens as if the model
// were fine.
TEST(GenerateCli, NonFiniteLogitsStopGenerationWithAnError) {
    test::TempDir dir;
    const std::string model = model_with_output_norm(dir, 3e38f);
    CliRun r = test::run_veil("generate --model " + quote(model) + " --prompt Hello -n 4 --temp 0");
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("at position 4 is "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(": its weights hold NaN/Inf or overflow"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace veil
