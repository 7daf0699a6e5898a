#include "cli/model_builtin_vocab.h"

#include <cstdio>
#include <string>
#include <vector>

namespace veil::cli {

namespace {

// llama.cpp's token types.
constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kByte = 6;
const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's word-start marker

}  // namespace

void set_builtin_vocab(GgufWriter& writer, uint64_t n_vocab) {
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<int32_t> types = {kUnknown, kControl, kControl};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        tokens.push_back(name);
        types.push_back(kByte);
    }
    // Pieces of length 1, 2, 3, ... over the alphabet, in order: every longer piece is the
    // merge of two shorter ones already present, as BPE-style SentencePiece needs.
    std::vector<std::string> alphabet = {kSpace};
    for (char c = 'a'; c <= 'z'; ++c) alphabet.emplace_back(1, c);
    std::vector<std::string> level = {""};
    while (tokens.size() < n_vocab) {
        std::vector<std::string> next;
        for (const auto& prefix : level)
            for (const auto& a : alphabet) {
                next.push_back(prefix + a);
                if (tokens.size() < n_vocab) {
                    tokens.push_back(next.back());
                    types.push_back(kNormal);
                }
            }
        level = std::move(next);
    }
    std::vector<float> scores(tokens.size(), 0.0f);
    for (size_t i = 259; i < tokens.size(); ++i) scores[i] = -static_cast<float>(i - 259);
    writer.set_string("tokenizer.ggml.model", "llama");
    writer.set_string_array("tokenizer.ggml.tokens", tokens);
    writer.set_f32_array("tokenizer.ggml.scores", scores);
    writer.set_i32_array("tokenizer.ggml.token_type", types);
    writer.set_u32("tokenizer.ggml.unknown_token_id", 0);
    writer.set_u32("tokenizer.ggml.bos_token_id", 1);
    writer.set_u32("tokenizer.ggml.eos_token_id", 2);
    writer.set_bool("tokenizer.ggml.add_bos_token", true);
    writer.set_bool("tokenizer.ggml.add_eos_token", false);
}

}  // namespace veil::cli
