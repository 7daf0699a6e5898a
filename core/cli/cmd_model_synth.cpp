// veil model synth --shape S --type T --out PATH [--vocab-from GGUF] [--seed N]: a llama-architecture
// GGUF with seeded random weights — benchmark and demo models of any size without downloading
// one. Weights are N(0, 0.02)-like (GPT-2 style initialisation: activations and logits stay in a
// sane range through any depth) and norms are 1, so the model runs like a real one and says
// nothing meaningful; the file says so in general.description.
#include <algorithm>
#include <cstring>
#include <iostream>

#include "cli/cmd_model.h"
#include "cli/model_builtin_vocab.h"
#include "cli/model_file_writer.h"
#include "cli/model_quant_types.h"
#include "cli/model_synth_shape.h"
#include "gguf/gguf_file.h"

namespace veil::cli {

namespace {

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Row `row` of tensor `tensor`: each row has its own generator state derived from (seed, tensor,
// row), so the file does not depend on the thread count or on batch sizes. Irwin-Hall sum of four
// 16-bit uniforms, rescaled to unit variance: close enough to a normal, and fast enough for a
// billion weights.
void random_row(uint64_t seed, uint64_t tensor, int64_t row, float* dst, int64_t n) {
    uint64_t state = seed * 0xD1B54A32D192ED03ull ^ (tensor << 40) ^ static_cast<uint64_t>(row);
    splitmix64(state);
    constexpr float kSd = 0.02f;
    constexpr float kScale = kSd * 1.7320508f / 65536.0f;  // sqrt(3): sum of 4 U(0,1) has variance 1/3
    for (int64_t i = 0; i < n; ++i) {
        const uint64_t r = splitmix64(state);
        const float sum = static_cast<float>((r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48));
        dst[i] = (sum - 2.0f * 65535.0f) * kScale;
    }
}

void set_llama_metadata(GgufWriter& w, const SynthShape& s, const QuantTarget& target, uint64_t seed) {
    w.set_string("general.architecture", "llama");
    w.set_string("general.name", "veil-synth-" + s.name + "-" + std::string(target.name));
    w.set_string("general.description",
                 "RANDOM WEIGHTS (veil model synth, seed " + std::to_string(seed) +
                     "): a synthetic model for benchmarks and demos; its output is meaningless");
    w.set_u32("general.file_type", target.file_type);
    w.set_u32("general.quantization_version", 2);
    w.set_u32("llama.context_length", static_cast<uint32_t>(s.context));
    w.set_u32("llama.embedding_length", static_cast<uint32_t>(s.dim));
    w.set_u32("llama.block_count", static_cast<uint32_t>(s.layers));
    w.set_u32("llama.feed_forward_length", static_cast<uint32_t>(s.ffn));
    w.set_u32("llama.attention.head_count", static_cast<uint32_t>(s.heads));
    w.set_u32("llama.attention.head_count_kv", static_cast<uint32_t>(s.kv_heads));
    w.set_u32("llama.rope.dimension_count", static_cast<uint32_t>(s.head_dim()));
    w.set_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    w.set_f32("llama.rope.freq_base", 10000.0f);
    w.set_u32("llama.vocab_size", static_cast<uint32_t>(s.vocab));
}

// Copies every tokenizer.* key of `path`; its vocabulary must have exactly `n_vocab` tokens.
void copy_vocab(GgufWriter& w, const std::string& path, uint64_t n_vocab) {
    auto vocab = GgufFile::open(path);
    const uint64_t n = vocab->get_string_array("tokenizer.ggml.tokens").size();
    if (n != n_vocab)
        throw UsageError("--vocab-from " + path + " has " + std::to_string(n) + " tokens but the shape's vocab is " +
                         std::to_string(n_vocab));
    for (const auto& kv : vocab->metadata())
        if (kv.key.substr(0, 10) == "tokenizer.") w.set_value(std::string(kv.key), kv.value);
}

std::vector<PlannedTensor> plan_tensors(const SynthShape& s, const QuantTarget& target, uint64_t seed) {
    struct Decl {
        std::string name;
        std::vector<uint64_t> dims;
    };
    std::vector<Decl> decls = {{"token_embd.weight", {s.dim, s.vocab}}};
    for (uint64_t l = 0; l < s.layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        decls.push_back({b + "attn_norm.weight", {s.dim}});
        decls.push_back({b + "attn_q.weight", {s.dim, s.dim}});
        decls.push_back({b + "attn_k.weight", {s.dim, s.kv_dim()}});
        decls.push_back({b + "attn_v.weight", {s.dim, s.kv_dim()}});
        decls.push_back({b + "attn_output.weight", {s.dim, s.dim}});
        decls.push_back({b + "ffn_norm.weight", {s.dim}});
        decls.push_back({b + "ffn_gate.weight", {s.dim, s.ffn}});
        decls.push_back({b + "ffn_up.weight", {s.dim, s.ffn}});
        decls.push_back({b + "ffn_down.weight", {s.ffn, s.dim}});
    }
    decls.push_back({"output_norm.weight", {s.dim}});
    decls.push_back({"output.weight", {s.dim, s.vocab}});

    // Types as llama-quantize would choose them from an F32 original.
    std::vector<TensorShape> shapes;
    for (const auto& d : decls)
        shapes.push_back({d.name, static_cast<uint32_t>(engine::GgmlType::F32), static_cast<uint32_t>(d.dims.size()),
                          d.dims[0]});
    const std::vector<engine::GgmlType> types = choose_tensor_types(target, shapes);

    std::vector<PlannedTensor> plan;
    for (size_t i = 0; i < decls.size(); ++i) {
        PlannedTensor p{decls[i].name, types[i], decls[i].dims, {}, false, {}};
        const auto n = static_cast<int64_t>(decls[i].dims[0]);
        if (decls[i].dims.size() == 1) {
            p.rows = [n](const uint8_t*, int64_t, float* dst) { std::fill(dst, dst + n, 1.0f); };  // RMS norm gains
        } else {
            p.rows = [seed, i, n](const uint8_t*, int64_t row, float* dst) { random_row(seed, i, row, dst, n); };
        }
        plan.push_back(std::move(p));
    }
    return plan;
}

int run(const std::vector<std::string>& args) {
    CommandLine cl("model synth", "--shape tinyllama-1.1b|DIM,LAYERS,FFN,HEADS,KV_HEADS,VOCAB --type T --out PATH "
                   "[--vocab-from GGUF] [--seed N] [--threads N] [--force]",
                   "Writes a llama-architecture GGUF with seeded RANDOM weights (for benchmarks and demos; its text "
                   "is meaningless). Tensor types follow llama-quantize for T (" + quant_target_names() +
                   "). The tokenizer is copied from --vocab-from (its size must match VOCAB); without it Veil "
                   "generates a byte-fallback SentencePiece vocabulary of VOCAB tokens.");
    cl.option("shape", "", "SHAPE", "tinyllama-1.1b or dim,layers,ffn,heads,kv_heads,vocab", true);
    cl.option("type", "", "T", "tensor type: " + quant_target_names(), true);
    cl.option("out", "o", "PATH", "output GGUF file", true);
    cl.option("vocab-from", "", "GGUF", "copy the tokenizer.* metadata of this model");
    cl.option("seed", "", "N", "random seed (default 1)");
    cl.option("threads", "t", "N", "quantize with N threads (default 2)");
    cl.flag("force", "", "replace PATH when it exists");
    if (!cl.parse(args, std::cout)) return 0;
    expect_positional(cl, 0, "no positional arguments");
    const SynthShape shape = parse_synth_shape(cl.get("shape"));
    const QuantTarget& target = quant_target(cl.get("type"));
    const uint64_t seed = cl.get_uint("seed", 1);
    const int threads = static_cast<int>(cl.get_int("threads", 2));
    if (threads < 1 || threads > 256) throw UsageError("--threads must be 1..256");
    const std::string out = cl.get("out");

    GgufWriter writer;
    set_llama_metadata(writer, shape, target, seed);
    if (cl.has("vocab-from")) {
        copy_vocab(writer, cl.get("vocab-from"), shape.vocab);
    } else {
        if (shape.vocab < kBuiltinVocabMin)
            throw UsageError("the built-in vocabulary needs vocab >= " + std::to_string(kBuiltinVocabMin) +
                             " (bytes and specials); give --vocab-from GGUF or a larger vocab");
        set_builtin_vocab(writer, shape.vocab);
    }
    std::vector<PlannedTensor> plan = plan_tensors(shape, target, seed);
    std::cerr << "veil model synth: RANDOM weights, seed " << seed << ", shape " << shape.name << " (dim " << shape.dim
              << ", " << shape.layers << " layers, ffn " << shape.ffn << ", " << shape.heads << "/" << shape.kv_heads
              << " heads, vocab " << shape.vocab << "), " << target.name << "\n";
    WrittenModel w = write_model_file(writer, plan, out, cl.has("force"), threads);
    std::cout << "wrote " << out << ": " << plan.size() << " tensors, " << w.tensor_bytes << " bytes of weights ("
              << target.name << ", random), " << w.seconds << " s\n";
    return 0;
}

}  // namespace

ModelSubcommand model_synth_subcommand() {
    return {"synth", "write a llama GGUF of any shape with seeded random weights (benchmarks, demos)", run};
}

}  // namespace veil::cli
