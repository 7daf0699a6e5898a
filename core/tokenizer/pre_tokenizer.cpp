#include "tokenizer/pre_tokenizer.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>

namespace veil {

namespace {

// The regex sets llama.cpp uses for each pre-tokenizer (llama-vocab.cpp, llm_tokenizer_bpe).
std::vector<const char*> patterns(PreTokenizer kind) {
    static const char* kGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
    switch (kind) {
        case PreTokenizer::Gpt2: return {kGpt2};
        case PreTokenizer::Llama3:
            return {R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
        case PreTokenizer::Qwen2:
            return {R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"};
        case PreTokenizer::Default:
            return {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", R"([0-9][0-9][0-9])"};
    }
    return {kGpt2};
}

// Splits one piece with `re`: matches and the gaps between them, in order.
void split_piece(const Poco::RegularExpression& re, const std::string& piece, std::vector<std::string>& out) {
    size_t pos = 0;
    // PCRE checks the whole subject's UTF-8 on every match call, which made splitting quadratic
    // in the text's length (seconds for a 100 KB prompt). The first call checks it; the others,
    // which start where a match ended (a character boundary), skip the check.
    int options = 0;
    while (pos < piece.size()) {
        Poco::RegularExpression::Match m{std::string::npos, 0};
        int n = 0;
        try {
            n = re.match(piece, pos, m, options);
            options = Poco::RegularExpression::RE_NO_UTF8_CHECK;
        } catch (const Poco::RegularExpressionException&) {
            n = 0;  // invalid UTF-8: keep the rest as one piece; byte-level BPE still encodes it
        }
        if (n == 0 || m.offset == std::string::npos) break;
        if (m.offset > pos) out.push_back(piece.substr(pos, m.offset - pos));
        if (m.length == 0) {  // cannot happen with these patterns; never loop forever
            out.push_back(piece.substr(m.offset, 1));
            pos = m.offset + 1;
            continue;
        }
        out.push_back(piece.substr(m.offset, m.length));
        pos = m.offset + m.length;
    }
    if (pos < piece.size()) out.push_back(piece.substr(pos));
}

}  // namespace

PreTokenizerSplitter::PreTokenizerSplitter(PreTokenizer kind) {
    // (*UCP) makes \s, \w, \d and POSIX classes use Unicode properties, as the regexes intend.
    for (const char* p : patterns(kind))
        regexes_.push_back(std::make_unique<Poco::RegularExpression>(std::string("(*UCP)") + p, Poco::RegularExpression::RE_UTF8));
}

PreTokenizerSplitter::~PreTokenizerSplitter() = default;

std::vector<std::string> PreTokenizerSplitter::split(std::string_view text) const {
    std::vector<std::string> pieces{std::string(text)};
    if (text.empty()) return {};
    for (const auto& re : regexes_) {
        std::vector<std::string> next;
        for (const auto& p : pieces) split_piece(*re, p, next);
        pieces = std::move(next);
    }
    return pieces;
}

}  // namespace veil
