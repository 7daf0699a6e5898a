#include "tokenizer/tokenizer.h"

#include <algorithm>

#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/detokenizer.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/special_partition.h"
#include "tokenizer/spm_tokenizer.h"
#include "tokenizer/tokenizer_error.h"

namespace veil {

namespace {

constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

std::string escape_spaces(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (char c : s) {
        if (c == ' ')
            out.append(kSpmSpace);
        else
            out += c;
    }
    return out;
}

std::string unescape_spaces(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        if (s.substr(i, kSpmSpace.size()) == kSpmSpace) {
            out += ' ';
            i += kSpmSpace.size();
        } else {
            out += s[i++];
        }
    }
    return out;
}

// "<0xNN>" -> NN; -1 when the text has another form.
int parse_byte_token(std::string_view t) {
    if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
    auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    int hi = hex(t[3]), lo = hex(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

}  // namespace

Tokenizer::Tokenizer(Vocab v) : vocab_(std::move(v)) {
    if (vocab_.kind == VocabKind::Bpe) splitter_ = std::make_unique<PreTokenizerSplitter>(vocab_.pre);
}

Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile& file) {
    return std::unique_ptr<Tokenizer>(new Tokenizer(Vocab::from_gguf(file)));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    std::vector<int32_t> out;
    const bool bos = add_bos && vocab_.add_bos && vocab_.bos >= 0;
    if (bos) out.push_back(vocab_.bos);
    // SentencePiece: a space goes before text that starts the input or follows a special token.
    bool prev_special = true;
    for (const auto& fr : partition_special(vocab_, text, parse_special)) {
        if (fr.token >= 0) {
            out.push_back(fr.token);
            prev_special = true;
            continue;
        }
        if (vocab_.kind == VocabKind::Spm) {
            std::string t = (vocab_.add_space_prefix && prev_special) ? " " : "";
            t.append(fr.text);
            spm_tokenize(vocab_, escape_spaces(t), out);
        } else {
            bpe_tokenize(vocab_, *splitter_, fr.text, out);
        }
        prev_special = false;
    }
    if (add_bos && vocab_.add_eos && vocab_.eos >= 0) out.push_back(vocab_.eos);
    return out;
}

void Tokenizer::check(int32_t token) const {
    if (token < 0 || static_cast<size_t>(token) >= vocab_.size())
        throw TokenizerError("token id " + std::to_string(token) + " is outside the vocabulary (size " + std::to_string(vocab_.size()) + ")");
}

std::string_view Tokenizer::token_text(int32_t token) const {
    check(token);
    return vocab_.text[token];
}

bool Tokenizer::is_eog(int32_t token) const noexcept {
    return std::binary_search(vocab_.eog.begin(), vocab_.eog.end(), token);
}

std::string Tokenizer::decode(int32_t token, bool special) const {
    check(token);
    const std::string& t = vocab_.text[token];
    switch (vocab_.type[token]) {
        case TokenType::Control: return special ? t : std::string();
        case TokenType::Unknown:
            if (vocab_.kind == VocabKind::Spm) return "\xE2\x96\x85";  // U+2585, llama.cpp's rendering of <unk>
            return special ? t : std::string();
        case TokenType::Byte: {
            int b = parse_byte_token(t);
            if (b >= 0) return std::string(1, static_cast<char>(b));
            break;
        }
        case TokenType::UserDefined: return vocab_.kind == VocabKind::Spm ? unescape_spaces(t) : t;
        default: break;
    }
    return vocab_.kind == VocabKind::Spm ? unescape_spaces(t) : unicode_text_to_bytes(t);
}

std::string Tokenizer::decode(const std::vector<int32_t>& tokens, bool special) const {
    Detokenizer d(*this, special);
    std::string out;
    for (int32_t t : tokens) out += d.push(t);
    out += d.flush();
    return out;
}

}  // namespace veil
