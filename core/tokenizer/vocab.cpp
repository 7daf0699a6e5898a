#include "tokenizer/vocab.h"

#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>

#include "tokenizer/tokenizer_error.h"

namespace veil {

namespace {

PreTokenizer pre_tokenizer_for(std::string_view pre, Vocab& v, const std::string& file) {
    // Names as llama.cpp's converter writes them (llama-vocab.cpp maps the same names).
    if (pre.empty() || pre == "default") return PreTokenizer::Default;
    if (pre == "gpt-2" || pre == "gpt2" || pre == "phi-2" || pre == "jina-es" || pre == "jina-de" || pre == "mpt" || pre == "olmo")
        return PreTokenizer::Gpt2;
    if (pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "falcon3") {
        v.ignore_merges = true;
        v.add_bos = true;
        return PreTokenizer::Llama3;
    }
    if (pre == "qwen2" || pre == "stablelm2") return PreTokenizer::Qwen2;
    throw TokenizerError(file + ": unsupported pre-tokenizer tokenizer.ggml.pre = '" + std::string(pre) + "'");
}

void special_id(const GgufFile& f, const char* key, int32_t& id, size_t n_vocab) {
    auto v = f.find_i64(key);
    if (!v) return;
    if (*v >= 0 && static_cast<uint64_t>(*v) < n_vocab) {
        id = static_cast<int32_t>(*v);
        return;
    }
    // llama.cpp warns and keeps the default ("bad special token"); so do we, except for -1 as
    // int32 or uint32, which converters write for "no such token" (stories260K's padding).
    if (*v == -1 || *v == 0xFFFFFFFF) return;
    spdlog::warn("{}: {} = {} is not a token of the {}-token vocabulary; using {}", f.path(), key, *v, n_vocab,
                 id >= 0 ? std::to_string(id) : std::string("none"));
}

}  // namespace

Vocab Vocab::from_gguf(const GgufFile& f) {
    Vocab v;
    const std::string& file = f.path();
    auto model = f.find_string("tokenizer.ggml.model");
    if (!model) throw TokenizerError(file + ": no tokenizer (tokenizer.ggml.model missing)");
    if (*model == "llama") {
        v.kind = VocabKind::Spm;
        v.bos = 1, v.eos = 2, v.unk = 0;
        v.add_bos = true;
        v.add_space_prefix = true;
    } else if (*model == "gpt2") {
        v.kind = VocabKind::Bpe;
        v.bos = 11, v.eos = 11;
        v.pre = pre_tokenizer_for(f.find_string("tokenizer.ggml.pre").value_or(""), v, file);
    } else {
        throw TokenizerError(file + ": unsupported tokenizer model '" + std::string(*model) + "' (supported: llama, gpt2)");
    }

    const auto& tokens = f.get_string_array("tokenizer.ggml.tokens");
    const size_t n = tokens.size();
    if (n == 0 || n > static_cast<size_t>(INT32_MAX)) throw TokenizerError(file + ": tokenizer.ggml.tokens is empty or too large");
    v.text.assign(tokens.begin(), tokens.end());
    v.score.assign(n, 0.0f);
    v.type.assign(n, TokenType::Normal);
    if (f.has("tokenizer.ggml.scores")) {
        v.score = f.get_f32_array("tokenizer.ggml.scores");
        if (v.score.size() != n) throw TokenizerError(file + ": tokenizer.ggml.scores has a different length than the tokens");
    }
    if (f.has("tokenizer.ggml.token_type")) {
        auto types = f.get_int_array("tokenizer.ggml.token_type");
        if (types.size() != n) throw TokenizerError(file + ": tokenizer.ggml.token_type has a different length than the tokens");
        for (size_t k = 0; k < n; ++k) v.type[k] = (types[k] >= 0 && types[k] <= 6) ? static_cast<TokenType>(types[k]) : TokenType::Undefined;
    }
    v.index.reserve(n);
    for (size_t k = 0; k < n; ++k) v.index.emplace(v.text[k], static_cast<int32_t>(k));  // first id wins on duplicates

    if (v.kind == VocabKind::Bpe) {
        const auto& merges = f.get_string_array("tokenizer.ggml.merges");
        v.merge_rank.reserve(merges.size());
        for (size_t r = 0; r < merges.size(); ++r) {
            // "left right"; the separator is the first space after the first byte (llama.cpp).
            std::string_view m = merges[r];
            size_t sp = m.find(' ', 1);
            if (sp == std::string_view::npos) throw TokenizerError(file + ": tokenizer.ggml.merges entry " + std::to_string(r) + " has no space");
            std::string key(m.substr(0, sp));
            key += '\0';
            key += m.substr(sp + 1);
            v.merge_rank.emplace(std::move(key), static_cast<int32_t>(r));
        }
    }

    special_id(f, "tokenizer.ggml.bos_token_id", v.bos, n);
    special_id(f, "tokenizer.ggml.eos_token_id", v.eos, n);
    special_id(f, "tokenizer.ggml.unknown_token_id", v.unk, n);
    special_id(f, "tokenizer.ggml.padding_token_id", v.pad, n);
    special_id(f, "tokenizer.ggml.eot_token_id", v.eot, n);
    special_id(f, "tokenizer.ggml.eom_token_id", v.eom, n);
    v.add_bos = f.find_bool("tokenizer.ggml.add_bos_token").value_or(v.add_bos);
    v.add_eos = f.find_bool("tokenizer.ggml.add_eos_token").value_or(v.add_eos);
    v.add_space_prefix = f.find_bool("tokenizer.ggml.add_space_prefix").value_or(v.add_space_prefix);

    // End of generation: eos/eot/eom plus control tokens that chat templates use to end a turn.
    for (int32_t id : {v.eos, v.eot, v.eom})
        if (id >= 0) v.eog.push_back(id);
    static const std::string_view kEogText[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>"};
    for (size_t k = 0; k < n; ++k)
        if (v.type[k] == TokenType::Control && std::find(std::begin(kEogText), std::end(kEogText), v.text[k]) != std::end(kEogText))
            v.eog.push_back(static_cast<int32_t>(k));
    std::sort(v.eog.begin(), v.eog.end());
    v.eog.erase(std::unique(v.eog.begin(), v.eog.end()), v.eog.end());

    for (size_t k = 0; k < n; ++k) {
        TokenType t = v.type[k];
        if ((t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown) && !v.text[k].empty())
            v.special.push_back(static_cast<int32_t>(k));
    }
    std::stable_sort(v.special.begin(), v.special.end(), [&](int32_t a, int32_t b) { return v.text[a].size() > v.text[b].size(); });
    return v;
}

int Vocab::find_merge(std::string_view left, std::string_view right) const {
    std::string key;
    key.reserve(left.size() + right.size() + 1);
    key.append(left);
    key += '\0';
    key.append(right);
    auto it = merge_rank.find(key);
    return it == merge_rank.end() ? -1 : it->second;
}

}  // namespace veil
