#include "veil/engine/llama_hparams.h"

#include <cmath>
#include <optional>

#include "veil/engine/llama_error.h"

namespace veil::engine {
namespace {

// Architectures whose GGUF layout is exactly llama.cpp's LLM_ARCH_LLAMA graph. Mistral 7B is
// normally exported as "llama"; a few converters label it "mistral" with the same tensors.
bool is_llama_family(const std::string& arch) { return arch == "llama" || arch == "mistral"; }

class Meta {
public:
    explicit Meta(const veil_model_source& s) : s_(s) {}

    veil_meta_value get(const std::string& key) const {
        veil_meta_value v{};
        v.kind = VEIL_META_NONE;
        s_.meta_get(s_.ctx, key.c_str(), &v);
        return v;
    }

    std::optional<uint64_t> uint(const std::string& key) const {
        veil_meta_value v = get(key);
        switch (v.kind) {
            case VEIL_META_NONE: return std::nullopt;
            case VEIL_META_UINT: return v.u;
            case VEIL_META_INT:
                if (v.i >= 0) return static_cast<uint64_t>(v.i);
                throw LlamaError(VEIL_ERR_INVALID_ARGUMENT,
                                 "metadata '" + key + "' is negative (" + std::to_string(v.i) + ")");
            default:
                throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "metadata '" + key + "' is not an integer");
        }
    }

    // A 32-bit count: present, > 0 and representable.
    uint32_t count(const std::string& key) const {
        std::optional<uint64_t> v = uint(key);
        if (!v) throw LlamaError(VEIL_ERR_NOT_FOUND, "metadata '" + key + "' is missing");
        return checked_count(key, *v);
    }
    uint32_t count_or(const std::string& key, uint32_t fallback) const {
        std::optional<uint64_t> v = uint(key);
        return v ? checked_count(key, *v) : fallback;
    }

    std::optional<double> real(const std::string& key) const {
        veil_meta_value v = get(key);
        switch (v.kind) {
            case VEIL_META_NONE: return std::nullopt;
            case VEIL_META_FLOAT: return v.f;
            case VEIL_META_UINT: return static_cast<double>(v.u);
            case VEIL_META_INT: return static_cast<double>(v.i);
            default: throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, "metadata '" + key + "' is not a number");
        }
    }

private:
    static uint32_t checked_count(const std::string& key, uint64_t v) {
        if (v == 0 || v > (1u << 30))
            throw LlamaError(VEIL_ERR_INVALID_ARGUMENT,
                             "metadata '" + key + "' = " + std::to_string(v) + " is out of range");
        return static_cast<uint32_t>(v);
    }
    const veil_model_source& s_;
};

[[noreturn]] void bad(const std::string& what) { throw LlamaError(VEIL_ERR_INVALID_ARGUMENT, what); }

}  // namespace

LlamaHParams read_llama_hparams(const veil_model_source& source) {
    Meta meta(source);
    LlamaHParams hp;

    veil_meta_value arch = meta.get("general.architecture");
    if (arch.kind != VEIL_META_STRING)
        throw LlamaError(VEIL_ERR_NOT_FOUND, "metadata 'general.architecture' is missing or not a string");
    hp.arch.assign(arch.str, arch.str_len);
    if (!is_llama_family(hp.arch))
        throw LlamaError(VEIL_ERR_UNSUPPORTED, "architecture '" + hp.arch + "' is not supported (only llama)");
    const std::string p = hp.arch + ".";

    hp.n_ctx_train = meta.count(p + "context_length");
    hp.n_embd = meta.count(p + "embedding_length");
    hp.n_layer = meta.count(p + "block_count");
    hp.n_ff = meta.count(p + "feed_forward_length");
    hp.n_head = meta.count(p + "attention.head_count");
    hp.n_head_kv = meta.count_or(p + "attention.head_count_kv", hp.n_head);

    if (hp.n_head % hp.n_head_kv != 0)
        bad("attention.head_count (" + std::to_string(hp.n_head) + ") is not a multiple of head_count_kv (" +
            std::to_string(hp.n_head_kv) + ")");
    if (hp.n_embd % hp.n_head != 0 && !meta.uint(p + "attention.key_length"))
        bad("embedding_length (" + std::to_string(hp.n_embd) + ") is not a multiple of head_count (" +
            std::to_string(hp.n_head) + ")");
    hp.head_dim = meta.count_or(p + "attention.key_length", hp.n_embd / hp.n_head);
    // One head size for K and V keeps the KV cache and attention simple; every llama model has it.
    uint32_t v_dim = meta.count_or(p + "attention.value_length", hp.head_dim);
    if (v_dim != hp.head_dim)
        throw LlamaError(VEIL_ERR_UNSUPPORTED, "attention.value_length (" + std::to_string(v_dim) +
                                                   ") differs from key_length (" + std::to_string(hp.head_dim) + ")");

    hp.n_rot = meta.count_or(p + "rope.dimension_count", hp.head_dim);
    if (hp.n_rot > hp.head_dim || hp.n_rot % 2 != 0)
        bad("rope.dimension_count (" + std::to_string(hp.n_rot) + ") must be even and <= head size (" +
            std::to_string(hp.head_dim) + ")");

    if (auto base = meta.real(p + "rope.freq_base")) {
        if (!(*base > 0.0) || !std::isfinite(*base)) bad("rope.freq_base must be positive");
        hp.rope_freq_base = static_cast<float>(*base);
    }
    if (auto eps = meta.real(p + "attention.layer_norm_rms_epsilon")) {
        if (!(*eps > 0.0) || !std::isfinite(*eps)) bad("attention.layer_norm_rms_epsilon must be positive");
        hp.rms_eps = static_cast<float>(*eps);
    }

    // Features of newer llama variants that change the math; refusing beats silently wrong logits.
    veil_meta_value scaling = meta.get(p + "rope.scaling.type");
    if (scaling.kind == VEIL_META_STRING && std::string(scaling.str, scaling.str_len) != "none")
        throw LlamaError(VEIL_ERR_UNSUPPORTED,
                         "rope scaling '" + std::string(scaling.str, scaling.str_len) + "' is not supported");
    if (auto experts = meta.uint(p + "expert_count"); experts && *experts > 0)
        throw LlamaError(VEIL_ERR_UNSUPPORTED, "mixture-of-experts models (expert_count " +
                                                   std::to_string(*experts) + ") are not supported");

    veil_meta_value tokens = meta.get("tokenizer.ggml.tokens");
    if (tokens.kind == VEIL_META_ARRAY) {
        if (tokens.array_len == 0 || tokens.array_len > (1u << 30))
            bad("tokenizer.ggml.tokens has " + std::to_string(tokens.array_len) + " entries");
        hp.n_vocab = static_cast<uint32_t>(tokens.array_len);
    }
    return hp;
}

}  // namespace veil::engine
